"""Personal wallet bills (Alipay app and web export, WeChat CSV and XLSX, JD) past
STREAM_FROM are read as a stream, twice: a first pass keeps only what a row's booking
needs of the whole file (the ids it repeats, the trade numbers its refunds name: in
idset.Ids, on disk past LIMIT_IDS), the second books. Nothing of a row is held, and the
entries, notes, skips and errors are those of the file read whole."""

from __future__ import annotations

import datetime as dt
import random
import tracemalloc
from decimal import Decimal

import pytest
from click.testing import CliRunner

from beanclear import cli
from beanclear.books import idset, spill
from beanclear.importers import alipay_personal, alipay_web, jd_personal, wechat_personal
from beanclear.importers.toolkit import StatementError, clean, tables, text, xlsx
from conftest import sample, snapshot
from golden_util import extraction_text
from statement_files import jd_statement
from test_alipay_personal import web_export

CONFIG = """\
books: books
channels:
  alipay_me:
    type: alipay-personal
    sales:
      - {category: "^收入$"}
      - {counterparty: "张三|李四", item: "茶叶"}
  wechat_me:
    type: wechat-personal
    sales: [{category: "二维码收款|群收款"}]
  jd_me:
    type: jd-personal
    sales: [{item: "货款"}]
rules:
  - {match: "知乎", account: Expenses:Subscriptions}
  - {match: "包装|纸盒", account: Expenses:Packaging}
  - {match: "房东", account: Expenses:Rent}
  - {match: "茶具", account: Expenses:Supplies}
"""
CHANNEL = {alipay_personal: "alipay_me", alipay_web: "alipay_me", wechat_personal: "wechat_me", jd_personal: "jd_me"}


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def _streamed(m, chunk: int | None = None) -> None:
    """Every bill past the threshold (CSV and XLSX), its entries and ids on disk past a
    few; the whole read refused, so that a silent fallback to it cannot pass."""
    m.setattr(text, "STREAM_FROM", 0)
    m.setattr(xlsx, "STREAM_FROM", 0)
    if chunk:
        m.setattr(text, "CHUNK", chunk)
    m.setattr(spill, "LIMIT", 3)
    m.setattr(idset, "LIMIT_IDS", 2)

    def refuse(*args, **kwargs):
        raise AssertionError("a bill past STREAM_FROM was read whole")
    m.setattr(tables, "statement_rows", refuse)


def outcome(cfg, module, path) -> tuple:
    """What a read gives: every part of the Extraction, or the error's message."""
    importer = module.Importer(cfg.channels[CHANNEL[module]], cfg)
    assert importer.identify(str(path))
    try:
        ex = importer.read(str(path))
    except StatementError as exc:
        return ("error", str(exc))
    return (extraction_text(ex), list(ex.entries), ex.rows, dict(ex.skipped), ex.notes, ex.period, ex.account)


def both(cfg, module, path, monkeypatch, chunk=None) -> tuple[tuple, tuple]:
    whole = outcome(cfg, module, path)
    with monkeypatch.context() as m:
        _streamed(m, chunk)
        streamed = outcome(cfg, module, path)
    return streamed, whole


# -- the real samples, and the fixtures of the importers' own tests ---------------------

SAMPLES = [(alipay_personal, "alipay_personal", name) for name in
           ("deg-alipay-2023format-gbk.csv", "deg-alipay-2021format-gbk.csv", "dhr-alipay-full-utf8.csv")] + \
          [(wechat_personal, "wechat_personal", name) for name in ("deg-wechat-records.csv", "deg-wechat-records.xlsx")]


@pytest.mark.parametrize("module, folder, name", SAMPLES, ids=[s[2] for s in SAMPLES])
@pytest.mark.parametrize("chunk", [None, 5])
def test_every_real_sample_streamed_is_the_whole_read(cfg, monkeypatch, module, folder, name, chunk):
    streamed, whole = both(cfg, module, sample(folder, name), monkeypatch, chunk)
    assert whole[0] != "error" and whole[2] > 0
    assert streamed == whole


@pytest.mark.parametrize("module, write", [(jd_personal, jd_statement), (alipay_web, web_export)],
                         ids=["jd", "alipay-web"])
def test_the_written_fixtures_streamed_are_the_whole_read(cfg, tmp_path, monkeypatch, module, write):
    streamed, whole = both(cfg, module, write(tmp_path), monkeypatch, 7)
    assert whole[0] != "error" and streamed == whole


# -- generated bills --------------------------------------------------------------------
# Each a story of rows, newest first as the wallets write them: sales, purchases paid by
# every kind of method (combined funding among them), refunds above or below the
# purchase they name (a full refund flips it to 交易关闭), neutral rows of every kind and
# of none known, rows that move no money, and ids repeated: rows copied exactly, and
# other rows under an id the file already has.

def _cents(rng, low=1, high=500_000) -> Decimal:
    return Decimal(rng.randrange(low, high)) / 100


def _purchases(rng: random.Random, **cells):
    """Rows paying a merchant, newest first: what each row of a story starts as."""
    when = dt.datetime(2025, 12, 31, 23, 0)
    while True:
        when -= dt.timedelta(seconds=rng.randrange(1, 30_000))
        yield dict(time=when, who=f"商户{rng.randrange(40)}", item=f"商品{rng.randrange(999)}", direction="out",
                   amount=_cents(rng), **{name: pick() for name, pick in cells.items()})


ALIPAY_METHODS = ["", "余额", "账户余额", "余额宝", "花呗", "花呗分期(3期)", "招商银行(1234)", "中信银行信用卡(6428)&红包",
                  "花呗&红包", "云闪付-招商银行(4523)"]
ALIPAY_NEUTRAL = [("投资理财", "余额宝-自动转入"), ("投资理财", "余额宝-转出到余额"), ("投资理财", "余额宝-转出到银行卡"),
                  ("提现", "提现-实时提现"), ("充值", "充值-普通充值"), ("信用借还", "花呗主动还款"),
                  ("投资理财", "某基金-买入"), ("投资理财", "某基金-卖出至余额宝"), ("投资理财", "某基金-卖出"),
                  ("投资理财", "余额宝-收益发放"), ("其他", "神秘业务")]


def alipay_story(rng: random.Random, count: int) -> list[dict]:
    rows: list[dict] = []
    purchases = _purchases(rng, method=lambda: rng.choice(ALIPAY_METHODS),
                           status=lambda: rng.choice(["交易成功", "支付成功", "等待确认收货"]),
                           trade=lambda: f"2025{len(rows):08d}{rng.randrange(10**4):04d}",
                           order=lambda: f"T{rng.randrange(10**9)}" if rng.random() < 0.7 else "",
                           note=lambda: rng.choice(["", "", "备注"]))
    while len(rows) < count:
        row = dict(next(purchases), category="日用百货", fee=Decimal(0), refunded=Decimal(0))
        pick = rng.random()
        if pick < 0.2:     # a sale, or money received
            row.update(direction="in", category=rng.choice(["收入", "转账红包"]), who=rng.choice(["张三", "李四", "王五"]),
                       item=rng.choice(["茶叶 250g", "转账", "红包"]), method=rng.choice(["", "余额", "余额宝"]),
                       status="交易成功", fee=rng.choice([Decimal(0), Decimal("0.60")]))
            rows.append(row)
        elif pick < 0.4:   # neutral, of a kind known or not
            row["category"], row["item"] = rng.choice(ALIPAY_NEUTRAL)
            row.update(direction="neutral", status="交易成功")
            rows.append(row)
        elif pick < 0.5:   # a refund and its purchase, in either order
            full = rng.random() < 0.5
            back = row["amount"] if full else (row["amount"] / 2).quantize(Decimal("0.01"))
            refund = dict(row, category="退款", item=f"退款-{row['item']}", direction=rng.choice(["neutral", "in"]),
                          amount=back, status="退款成功", trade=f"{row['trade']}_{rng.randrange(10**6)}",
                          time=row["time"] + dt.timedelta(days=1))
            row.update(status="交易关闭" if full else "交易成功", refunded=back)
            rows.extend([refund, row] if rng.random() < 0.7 else [row, refund])
        elif pick < 0.57:  # money that did not move
            kind = rng.choice(["closed", "unfreeze", "zero", "failed", "deposit"])
            if kind == "closed":
                row["status"] = "交易关闭"
            elif kind == "unfreeze":
                row.update(direction="neutral", category="其他", item="解冻", status="解冻成功")
            elif kind == "zero":
                row.update(amount=Decimal("0.00"), item="医保支付", method="医保")
            elif kind == "failed":
                row.update(direction="neutral", item="花呗还款", status="还款失败")
            else:
                row.update(direction="neutral", item="芝麻免押", status="芝麻免押下单成功")
            rows.append(row)
        elif pick < 0.65 and rows:   # an id again: the same row copied, or another row
            twin = rng.choice(rows)
            rows.append(dict(twin) if rng.random() < 0.5 else dict(row, trade=twin["trade"]))
        else:
            rows.append(row)
    return rows[:count]


APP_HEADER = "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,"
OLD_HEADER = "收/支,交易对方,对方账号,商品说明,收/付款方式,金额,交易状态,交易分类,交易订单号,商家订单号,交易时间,"
LABEL = {"in": "收入", "out": "支出"}


def _totals(rows: list[dict], labels: dict, off: bool) -> tuple[int, dict]:
    """共N笔 and, by label, (rows, amount): the rows', or (`off`) not quite."""
    count, by = len(rows), {label: [0, Decimal(0)] for label in labels.values()}
    for r in rows:
        by[labels[r["direction"]]][0] += 1
        by[labels[r["direction"]]][1] += r["amount"]
    if off:
        count += 1
        by[labels["out"]][1] += Decimal("0.01")
    return count, by


def alipay_app_bill(path, rows, rng, layout="2023", encoding="gb18030", newline="\r\n", off=False):
    """The app's bill: 2023+ (preamble with the totals, 13 cells padded with spaces, some
    rows of 12) or ≤2022 (title, other column order, the totals in a footer)."""
    neutral = "不计收支" if layout == "2023" else "其他"
    count, by = _totals(rows, {**LABEL, "neutral": neutral}, off)
    totals = [f"共{count}笔记录"] + [f"{label}：{n}笔{' ' if layout == '2023' else ','}{s}元"
                                   for label, (n, s) in by.items()]
    lines = []
    for r in rows:
        direction = LABEL.get(r["direction"]) or (neutral if layout == "2023" else rng.choice(["其他", ""]))
        cells = {"交易时间": f"{r['time']:%Y-%m-%d %H:%M:%S}", "交易分类": r["category"], "交易对方": r["who"],
                 "对方账号": "/", "商品说明": r["item"], "收/支": direction, "金额": f"{r['amount']}",
                 "收/付款方式": r["method"], "交易状态": r["status"], "交易订单号": r["trade"] + "\t",
                 "商家订单号": r["order"] + "\t", "备注": r["note"]}
        header = APP_HEADER if layout == "2023" else OLD_HEADER
        values = [cells.get(name, "") for name in header.split(",")]
        if rng.random() < 0.3:   # padded as the older exports pad them
            values = [v + " " * rng.randrange(1, 6) for v in values]
        if layout == "2023" and rng.random() < 0.3:
            values = values[:-1]   # a ragged row: 12 cells
        lines.append(",".join(values))
    title = "-" * 24 + "支付宝（中国）网络技术有限公司  电子客户回单" + "-" * 24
    if layout == "2023":
        header_cells = ",".join(c + " " * rng.randrange(0, 8) for c in APP_HEADER.split(","))
        body = ["-" * 84, "导出信息：", "姓名：张三", "支付宝账户：zhang@example.com",
                "起始时间：[2025-01-01 00:00:00]    终止时间：[2025-12-31 23:59:59]", "导出交易类型：[全部]",
                "导出时间：[2026-01-01 09:00:00]", *totals, "", "特别提示：", "1.本回单内容仅供参考。", "", title,
                header_cells, *lines]
    else:
        body = [title, OLD_HEADER, *lines, "-" * 84, "导出信息：", "姓名：张三", "支付宝账户：zhang@example.com",
                "起始时间：[2025-01-01 00:00:00]    终止时间：[2025-12-31 23:59:59]", *totals, "", "特别提示：",
                "1.本明细仅供个人对账使用。"]
    path.write_bytes((newline.join(body) + newline).encode(encoding))
    return path


WEB_HEADER = ("交易号,商家订单号,交易创建时间,付款时间,最近修改时间,交易来源地,类型,交易对方,商品名称,金额（元）,收/支,交易状态,"
              "服务费（元）,成功退款（元）,备注,资金状态,")


def alipay_web_bill(path, rows, rng, off=False):
    """alipay.com's export: no payment method; 资金状态 says which way the money went."""
    lines, got, paid = [], Decimal(0), Decimal(0)
    for r in rows:
        funds = {"in": "已收入", "out": rng.choice(["已支出"] * 9 + ["冻结"])}.get(r["direction"]) or \
            ("已收入" if r["category"] == "退款" else rng.choice(["资金转移", ""]))
        direction = LABEL.get(r["direction"], "") if r["category"] != "退款" else rng.choice(["", "收入"])
        got += r["amount"] if funds == "已收入" else 0
        paid += r["amount"] if funds == "已支出" else 0
        stamp = f"{r['time']:%Y-%m-%d %H:%M:%S}"
        lines.append(",".join([r["trade"] + "\t", r["order"] + "\t", stamp, rng.choice([stamp, ""]), stamp, "支付宝网站",
                               r["category"], r["who"], r["item"], f"{r['amount']}", direction, r["status"],
                               f"{r['fee']}", f"{r['refunded']}", r["note"], funds, ""]))
    totals = [f"共{len(rows) + off}笔记录", f"已收入：1笔,{got}元", f"已支出：1笔,{paid + off}元"]
    body = ["支付宝交易记录明细查询", "账号:[20880000@example.com]", "起始日期:[2025-01-01 00:00:00]    终止日期:[2026-01-01 00:00:00]",
            "-" * 33 + "交易记录明细列表" + "-" * 36, WEB_HEADER, *lines, "-" * 33 + "交易记录明细列表结束" + "-" * 36, *totals,
            "导出时间:[2026-01-02 09:00:00]"]
    path.write_bytes(("\r\n".join(body) + "\r\n").encode("gb18030"))
    return path


WECHAT_HEADER = "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注"
WECHAT_NEUTRAL = [("零钱提现", "招商银行(1234)", "提现已到账"), ("零钱充值", "招商银行(1234)", "充值完成"),
                  ("转入零钱通-来自招商银行(1234)", "招商银行(1234)", "支付成功"), ("零钱通转出-到零钱", "零钱通", "支付成功"),
                  ("零钱通转出-到招商银行(1234)", "零钱通", "支付成功"), ("信用卡还款", "零钱", "支付成功"),
                  ("购买理财通", "招商银行(1234)", "支付成功"), ("分付还款", "零钱", "支付成功"), ("神秘业务", "零钱", "支付成功")]


def wechat_story(rng: random.Random, count: int) -> list[dict]:
    rows: list[dict] = []
    purchases = _purchases(rng, method=lambda: rng.choice(["零钱", "招商银行(1234)", "零钱通", "分付"]),
                           ident=lambda: f"42000{len(rows):08d}{rng.randrange(10**4):04d}",
                           order=lambda: f"M{rng.randrange(10**9)}" if rng.random() < 0.6 else "/")
    while len(rows) < count:
        row = dict(next(purchases), kind="商户消费", status="支付成功", note="/")
        pick = rng.random()
        if pick < 0.2:
            row.update(direction="in", kind=rng.choice(["二维码收款", "微信红包", "转账"]), method="/",
                       status=rng.choice(["已收钱", "已存入零钱"]), who=rng.choice(["用户A", "房东", "朋友"]))
        elif pick < 0.4:
            kind, method, status = rng.choice(WECHAT_NEUTRAL)
            row.update(direction="neutral", kind=kind, method=method, status=status, item="/")
            if kind == "零钱提现" and rng.random() < 0.7:
                row.update(note="服务费¥0.10", amount=row["amount"] + Decimal("0.10"))
        elif pick < 0.5:   # a refund row, and its purchase's status says so
            full = rng.random() < 0.5
            back = row["amount"] if full else (row["amount"] / 3).quantize(Decimal("0.01"))
            refund = dict(row, kind=f"{row['who']}-退款", direction="in", amount=back, status="已全额退款",
                          ident=f"50300{len(rows):08d}", order="/", time=row["time"] + dt.timedelta(days=1))
            row["status"] = "已全额退款" if full else rng.choice([f"已退款(￥{back})", f"已退款￥{back}"])
            rows.extend([refund, row] if rng.random() < 0.7 else [row, refund])
            continue
        elif pick < 0.55:
            row["status"] = rng.choice(["已关闭", "支付失败", "对方已拒收", "已撤销"])
        elif pick < 0.58:
            row["amount"] = Decimal("0.00")
        elif pick < 0.66 and rows:
            twin = rng.choice(rows)
            row = dict(twin) if rng.random() < 0.5 else dict(row, ident=twin["ident"])
        rows.append(row)
    return rows[:count]


def _wechat_preamble(rows: list[dict], off: bool) -> list[str]:
    count, by = _totals(rows, {**LABEL, "neutral": "中性交易"}, off)
    return ["微信支付账单明细", "微信昵称：[清风]", "起始时间：[2025-01-01 00:00:00] 终止时间：[2025-12-31 23:59:59]",
            "导出类型：[全部]", "导出时间：[2026-01-01 09:00:00]", "", f"共{count}笔记录",
            *(f"{label}：{n}笔 {s}元" for label, (n, s) in by.items()), "注：", "1. 本明细仅供个人对账使用", "",
            "----------------------微信支付账单明细列表--------------------"]


def wechat_csv_bill(path, rows, rng, newline="\n", off=False):
    """The CSV: lines padded with commas, ¥ and ￥, `/` for nothing, ids with a TAB inside
    or after their quotes."""
    lines = [line + "," * 10 for line in _wechat_preamble(rows, off)] + [WECHAT_HEADER]
    for r in rows:
        ident = rng.choice([f"{r['ident']}\t", f'"{r["ident"]}"\t', f'"{r["ident"]}\t"'])
        amount = rng.choice(["¥", "￥"]) + f"{r['amount']}"
        lines.append(",".join([f"{r['time']:%Y-%m-%d %H:%M:%S}", r["kind"], f'"{r["who"]}"', r["item"],
                               LABEL.get(r["direction"], "/"), f'"{amount}"' if rng.random() < 0.3 else amount,
                               r["method"], r["status"], ident, f"{r['order']}\t", f'"{r["note"]}"']))
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    return path


def wechat_xlsx_bill(path, rows, rng, off=False):
    """The XLSX: amounts as text (`¥28.16`) or numbers (2026), and a Power-Query copy first."""
    import openpyxl
    book = openpyxl.Workbook()
    book.active.append(["Column1", "Column2"])
    book.active.append(["微信支付账单明细", None])
    sheet = book.create_sheet("账单")
    for line in _wechat_preamble(rows, off):
        sheet.append([line])
    sheet.append(WECHAT_HEADER.split(","))
    for r in rows:
        amount = float(r["amount"]) if rng.random() < 0.5 else f"¥{r['amount']}"
        sheet.append([f"{r['time']:%Y-%m-%d %H:%M:%S}", r["kind"], r["who"], r["item"], LABEL.get(r["direction"], "/"),
                      amount, r["method"], r["status"], r["ident"] + "\t", r["order"], r["note"]])
    book.save(path)
    return path


JD_HEADER = "交易时间,商户名称,交易说明,金额,收/付款方式,交易状态,收/支,交易分类,交易订单号,商家订单号,备注"
JD_NEUTRAL = ["白条主动还款", "京东小金库转入", "小金库转出到余额", "小金库转出到银行卡", "余额提现", "余额充值", "神秘业务"]


def jd_bill(path, rng, count, off=False):
    """JD's 交易流水: a BOM, TABs after times and ids, refunds in the amount
    (`131.77(已退款89.84)`) and in rows of their own, ids only in 商家订单号 (亲密卡)."""
    story = alipay_story(rng, count)   # the same shape of story, in JD's words
    lines = []
    for r in story:
        amount = f"{r['amount']}"
        if r["category"] == "退款":
            item, direction = r["item"], "不计收支"
        elif r["direction"] == "neutral":
            item, direction = rng.choice(JD_NEUTRAL), "不计收支"
        else:
            item = "茶叶 货款" if r["direction"] == "in" else r["item"]
            direction = LABEL[r["direction"]]
            if r["refunded"]:
                amount += "(已全额退款)" if r["refunded"] == r["amount"] else f"(已退款{r['refunded']})"
        status = {"交易关闭": rng.choice(["交易关闭", "已取消"]), "等待确认收货": "交易完成"}.get(r["status"], "交易成功")
        trade, order = r["trade"], r["order"]
        if rng.random() < 0.05:   # 亲密卡: the merchant's order number names it
            trade, order = "", f"JD{r['trade']}"
        method = rng.choice(["京东白条", "余额", "招商银行(1234)", "小金库零用钱", "先享后付"])
        lines.append(",".join([f"{r['time']:%Y-%m-%d %H:%M:%S}\t", r["who"], item, amount, method, status, direction,
                               "网购", trade + "\t", order + "\t", r["note"]]))
    labels = {**LABEL, "neutral": "不计收支"}
    count, by = _totals([dict(r, direction="neutral" if "不计收支" in line else r["direction"])
                         for r, line in zip(story, lines)], labels, off)
    preamble = ["导出信息：", "京东账号名：jd_qingfeng", "日期区间：2025-01-01 至 2025-12-31", f"共：{count}笔记录",
                *(f"{label}：{n}笔，{s}元" for label, (n, s) in by.items()), "", "特别提示：", "1.本明细仅供个人对账使用。"]
    path.write_bytes(("\ufeff" + "\n".join([*preamble, "", JD_HEADER, *lines]) + "\n").encode("utf-8"))
    return path


def generated(kind: str, tmp_path, seed: int, count: int = 120, off: bool = False):
    """(module, path) of a generated bill of `kind`."""
    rng = random.Random(seed)
    if kind.startswith("alipay"):
        rows = alipay_story(rng, count)
        if kind == "alipay-web":
            return alipay_web, alipay_web_bill(tmp_path / "web.txt", rows, rng, off=off)
        layout, encoding, newline = {"alipay-2023": ("2023", "gb18030", "\r\n"), "alipay-2023-lf": ("2023", "gb18030", "\n"),
                                     "alipay-2023-utf8": ("2023", "utf-8", "\r\n"),
                                     "alipay-2021": ("2021", "gb18030", "\r\n")}[kind]
        return alipay_personal, alipay_app_bill(tmp_path / "alipay.csv", rows, rng, layout, encoding, newline, off)
    if kind.startswith("wechat"):
        rows = wechat_story(rng, count)
        if kind == "wechat-xlsx":
            return wechat_personal, wechat_xlsx_bill(tmp_path / "wechat.xlsx", rows, rng, off)
        return wechat_personal, wechat_csv_bill(tmp_path / "wechat.csv", rows, rng, "\r\n" if kind == "wechat-crlf"
                                                else "\n", off)
    return jd_personal, jd_bill(tmp_path / "jd.csv", rng, count, off)


KINDS = ["alipay-2023", "alipay-2023-lf", "alipay-2023-utf8", "alipay-2021", "alipay-web", "wechat", "wechat-crlf",
         "wechat-xlsx", "jd"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_bills_streamed_are_the_whole_read(cfg, tmp_path, monkeypatch, kind, seed):
    module, path = generated(kind, tmp_path, seed, off=seed == 3)
    streamed, whole = both(cfg, module, path, monkeypatch, chunk=97 if seed == 2 else None)
    assert whole[0] != "error", whole[1]
    assert streamed == whole
    text_, entries, rows = whole[0], whole[1], whole[2]
    assert rows == 120 and entries
    if seed == 3:   # totals off by a row and a cent: a note, both ways
        assert any("summary line says" in note for note in whole[4]), whole[4]
    ids = [e.meta["id"] for e in entries]
    assert any("-" in i and len(i.rsplit("-", 1)[1]) == 8 for i in ids)   # a repeated id, qualified


def test_what_the_first_pass_decides_is_what_the_whole_read_decides(cfg, tmp_path, monkeypatch):
    """A refund above its purchase and one below it: the closed purchase is booked either
    way; an id met again ten rows on is qualified at its first row too."""
    rows = [
        "2025-03-05 10:00:00,退款,店,/,退款-茶具,不计收支,30.00,余额,退款成功,A1_9\t,\t,,",
        "2025-03-04 10:00:00,日用百货,店,/,茶具,支出,30.00,余额,交易关闭,A1\t,\t,,",
        "2025-03-03 10:00:00,日用百货,店,/,纸盒,支出,12.00,花呗,交易关闭,A2\t,\t,,",
        "2025-03-02 10:00:00,退款,店,/,退款-纸盒,不计收支,12.00,花呗,退款成功,A2_8\t,\t,,",
        "2025-03-01 10:00:00,日用百货,店,/,茶叶,支出,5.00,余额,交易成功,A3\t,\t,,",
        *(f"2025-02-{day:02d} 10:00:00,日用百货,店,/,杂物,支出,1.00,余额,交易成功,B{day}\t,\t,," for day in range(1, 11)),
        "2025-01-01 10:00:00,日用百货,店,/,茶叶,支出,6.00,余额,交易成功,A3\t,\t,,",
    ]
    path = tmp_path / "alipay.csv"
    path.write_bytes("\r\n".join(["导出信息：", APP_HEADER, *rows]).encode("gb18030"))
    streamed, whole = both(cfg, alipay_personal, path, monkeypatch, chunk=11)
    assert streamed == whole
    ids = [e.meta["id"] for e in whole[1]]
    assert {"A1", "A1_9", "A2", "A2_8"} <= set(ids)   # both closed purchases booked, as their refunds
    twins = [i for i in ids if i.startswith("A3")]
    assert len(set(twins)) == 2 and all(i.startswith("A3-") for i in twins)


# -- bad input: the same error, at the same line, both ways ------------------------------

# A row each format books, put where a fault goes: the fault then meets the check it is for.
GOOD = {
    "alipay-2023": "2025-06-01 10:00:00,日用百货,店,/,茶叶,支出,12.00,余额,交易成功,G{at}\t,\t,,",
    "alipay-2021": "支出,店,/,茶叶,余额,12.00,交易成功,日用百货,G{at}\t,\t,2025-06-01 10:00:00,",
    "alipay-web": "G{at}\t,\t,2025-06-01 10:00:00,2025-06-01 10:00:00,2025-06-01 10:00:00,支付宝网站,即时到账交易,店,茶叶,"
                  "12.00,支出,交易成功,0.00,0.00,,已支出,",
    "wechat": "2025-06-01 10:00:00,商户消费,店,茶叶,支出,¥12.00,零钱,支付成功,G{at}\t,/\t,/",
    "jd": "2025-06-01 10:00:00\t,店,茶叶,12.00,余额,交易成功,支出,网购,G{at}\t,\t,",
}
FAULT_ROW = {"status": 3, "date": 4, "direction": 5, "amount": 6, "id": 7, "wide": 20, "short": 21}


def _broken(kind: str, tmp_path, faults: list[str]):
    """A generated bill of `kind` with `faults`, each in a row of its own: the importer's
    (a status, an amount, a date, a direction, an id) early, the file's shape later."""
    module, path = generated(kind, tmp_path, 5, count=40)
    encoding = "gb18030" if kind.startswith("alipay") else "utf-8"
    raw = path.read_bytes().decode(encoding)
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(newline)
    header = next(i for i, line in enumerate(lines) if "交易时间" in line or line.startswith("交易号"))
    names = [clean(c) for c in lines[header].split(",")]
    for fault in faults:
        if fault == "open quote":
            lines.insert(len(lines) - 1, '"never closed')
            continue
        at = header + FAULT_ROW[fault]
        cells = GOOD[kind].format(at=at).split(",")

        def put(columns, value):
            for i, name in enumerate(names):
                if name in columns:
                    cells[i] = value
        if fault == "status":
            put(("交易状态", "当前状态"), "神秘状态")
        elif fault == "amount":
            put(("金额", "金额(元)", "金额（元）"), "十二元")
        elif fault == "date":
            put(("交易时间", "付款时间", "交易创建时间"), "2025-13-45 10:00:00")
        elif fault == "direction":
            put(("收/支",), "流入")
        elif fault == "id":
            put(("交易订单号", "交易单号", "交易号", "商家订单号"), "\t")
        elif fault == "wide":
            cells += ["extra", "cells"]
        elif fault == "short":
            cells = cells[:3]
        lines[at] = ",".join(cells)
    path.write_bytes(newline.join(lines).encode(encoding))
    return module, path


FAULTS = [["status"], ["amount"], ["date"], ["direction"], ["id"], ["wide"], ["short"], ["status", "wide"],
          ["status", "open quote"], ["amount", "status"], ["date", "amount"]]


@pytest.mark.parametrize("kind", ["alipay-2023", "alipay-2021", "alipay-web", "wechat", "jd"])
@pytest.mark.parametrize("faults", FAULTS, ids=lambda f: "+".join(f))
def test_broken_bills_give_the_same_error_both_ways(cfg, tmp_path, monkeypatch, kind, faults):
    module, path = _broken(kind, tmp_path, faults)
    streamed, whole = both(cfg, module, path, monkeypatch, chunk=64)
    assert whole[0] == "error" and whole[1].startswith(f"{path}:"), whole[1][:200]
    line = whole[1][len(str(path)) + 1:].split(":", 1)[0]
    assert line.isdigit() and int(line) > 0
    assert streamed == whole


def test_a_wechat_amount_further_on_is_reported_before_a_status_above_it(cfg, tmp_path, monkeypatch):
    """Every amount is read in the first pass (the ids of repeated rows are made of them),
    as the whole read did: its error comes first, streamed too."""
    module, path = _broken("wechat", tmp_path, ["status", "amount"])
    streamed, whole = both(cfg, module, path, monkeypatch)
    assert "column 金额(元): expected an amount" in whole[1] and streamed == whole


def test_a_broken_streamed_bill_exits_2_naming_file_and_line(make_config, tmp_path, monkeypatch):
    make_config(CONFIG)
    module, path = _broken("alipay-2023", tmp_path, ["status"])
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    result = CliRunner().invoke(cli.main, ["import", "-c", str(tmp_path / "config.yaml"), str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.output and "column 交易状态: unknown status '神秘状态'" in result.output
    assert "Traceback" not in result.output


# -- the books, and the memory ----------------------------------------------------------

def test_the_books_written_are_the_same_streamed(make_config, tmp_path_factory, monkeypatch):
    """`beanclear import` of a bill with rows copied exactly (booked once, and said),
    refunds and repeated ids: the same books and the same summary, streamed."""
    outputs, books = [], []
    for streamed in (False, True):
        root = tmp_path_factory.mktemp("streamed" if streamed else "whole")
        (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
        _, path = generated("alipay-2023", root, 7, count=400)
        with monkeypatch.context() as m:
            if streamed:
                _streamed(m)
            result = CliRunner().invoke(cli.main, ["import", "-c", str(root / "config.yaml"), str(path)])
        assert result.exit_code == 0, result.output
        outputs.append(result.output.replace(str(root), "ROOT"))
        books.append(snapshot(root / "books"))
    assert "repeat an earlier row of the file exactly" in outputs[0]
    assert outputs[1] == outputs[0] and books[1] == books[0]


def _peak(cfg, path) -> int:
    importer = alipay_personal.Importer(cfg.channels["alipay_me"], cfg)
    tracemalloc.start()
    try:
        extraction = importer.parse(str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert extraction.rows == 8_000
    return peak


def test_a_streamed_bill_is_never_held(cfg, tmp_path, monkeypatch):
    """8,000 rows (1 MB): read whole, every row is held; streamed, those of the chunk of
    text being read (64 KiB here, 1 MiB by default: whatever the file's length). The
    entries and ids go to disk past a few hundred both ways, to compare the rows alone.
    (The whole read's peak is ~12 times the stream's here, 26 times at 20,000 rows:
    the stream's is the same, the proportion the whole read's growth.)"""
    rng = random.Random(11)
    path = alipay_app_bill(tmp_path / "alipay.csv", alipay_story(rng, 8_000), rng)
    monkeypatch.setattr(spill, "LIMIT", 200)
    monkeypatch.setattr(idset, "LIMIT_IDS", 500)
    monkeypatch.setattr(text, "STREAM_FROM", 2**40)
    whole = _peak(cfg, path)
    with monkeypatch.context() as m:
        _streamed(m, chunk=2**16)
        m.setattr(spill, "LIMIT", 200)
        m.setattr(idset, "LIMIT_IDS", 500)
        streamed = _peak(cfg, path)
    assert streamed * 5 < whole, (streamed, whole)   # on the code that read every bill whole: 1×


def test_progress_is_of_the_pass_that_books(cfg, tmp_path, monkeypatch):
    """The first pass (the ids) is not shown; the second, which books, goes from the
    start of the file to its end, in bytes."""
    module, path = generated("alipay-2023", tmp_path, 4, count=3000)
    _streamed(monkeypatch, chunk=2**12)
    importer = module.Importer(cfg.channels["alipay_me"], cfg)
    calls = []
    importer.on_progress = lambda done, total: calls.append((done, total))
    importer.parse(str(path))
    size = path.stat().st_size
    assert calls[0][0] < size / 2 and calls[-1] == (size, size) and {t for _, t in calls} == {size}
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
