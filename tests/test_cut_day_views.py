"""A statement that does not say where it ends, and ends inside a day of the books, asserts
that day's close only until the rows of the rest of the day come, whichever view of the
channel brings them (README "A statement that ends or starts inside a day";
books/late_balances.py cut_off, cut_ends).

Blind tester "misconfig" (round 19): books in America/Los_Angeles, WeChat Pay's monthly
trade and fund bills. January's fund bill ends at China's midnight, 08:00 on LA's 31 Jan;
its last balance (0.00, after the 23:30 withdrawal) was asserted as the close of LA's
31 Jan, while February's bills hold that day's afternoon. Imported with the trade bills
(which assert no balance, and book February's rows before its fund bill could bring
them as new lines), the 0.00 stayed: `Balance failed … expected 0.00 CNY != accumulated
442.13 CNY`. In Asia/Shanghai the same bills end at the books' midnight and keep every
balance they assert."""

from __future__ import annotations

import json
import re

import pytest

from conftest import beanclear, write_files

CONFIG = """\
books: books
currency: CNY
timezone: {zone}
channels:
  wechat: {{type: wechat, account_id: "1601959334", settlement_days: 30}}
checks:
  unsettled: {{severity: off}}
"""
TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                "手续费,费率,订单金额,申请退款金额,费率备注")
TRADE_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
FUND_HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"
FUND_SUMMARY = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"

# (China time, id, amount, balance after); an id starting 1000 is a withdrawal
JANUARY = [("2026-01-30 12:00:00", "4200000000000000000000000001", "100.00", "100.00"),  # LA 29 Jan 20:00
           ("2026-01-31 10:00:00", "4200000000000000000000000002", "50.00", "150.00"),   # LA 30 Jan 18:00
           ("2026-01-31 23:30:00", "10001601959334202601310000000001", "150.00", "0.00")]  # LA 31 Jan 07:30
FEBRUARY = [("2026-02-01 08:00:00", "4200000000000000000000000003", "30.00", "30.00"),   # LA 31 Jan 16:00
            ("2026-02-01 20:00:00", "4200000000000000000000000004", "20.00", "50.00")]   # LA 1 Feb 04:00


def fund_bill(rows) -> str:
    lines = [FUND_HEADER]
    for n, (when, ident, amount, after) in enumerate(rows):
        out = ident.startswith("1000")
        kind, way, by, note, ref = ("提现", "支出", "1601959334API", "自动提现", "") if out else \
            ("交易", "收入", "", "", f"O{ident[-1]}")
        lines.append(f"`{when},`{ident},`F{n}{ident[-6:]},`{kind},`{kind},`{way},`{amount},`{after},`{by},`{note},"
                     f"`{ref}")
    ins = [r for r in rows if not r[1].startswith("1000")]
    outs = [r for r in rows if r[1].startswith("1000")]
    lines += [FUND_SUMMARY, f"`{len(rows)},`{len(ins)},`{sum(float(r[2]) for r in ins):.2f},`{len(outs)},"
                            f"`{sum(float(r[2]) for r in outs):.2f}"]
    return "\n".join(lines) + "\n"


def trade_bill(rows) -> str:
    paid = [r for r in rows if not r[1].startswith("1000")]
    lines = [TRADE_HEADER] + [
        f"`{when},`wx81be3101902f7cb2,`1601959334,`0,`,`{ident},`O{ident[-1]},`ofyak,`NATIVE,`SUCCESS,`OTHERS,`CNY,"
        f"`{amount},`0.00,`0,`0,`0.00,`0.00,`,`,`tea,`,`0.00000,`0.00%,`{amount},`0.00,`"
        for when, ident, amount, _ in paid]
    total = f"{sum(float(r[2]) for r in paid):.2f}"
    lines += [TRADE_SUMMARY, f"`{len(paid)},`{total},`0.00,`0.00,`0.00000,`{total},`0.00"]
    return "\n".join(lines) + "\n"


FILES = {"fundflow-2026-01.csv": fund_bill(JANUARY), "fundflow-2026-02.csv": fund_bill(FEBRUARY),
         "tradebill-2026-01.csv": trade_bill(JANUARY), "tradebill-2026-02.csv": trade_bill(FEBRUARY)}


def merchant(tmp_path, zone: str):
    return write_files(tmp_path, {"config.yaml": CONFIG.format(zone=zone),
                                  **{f"statements/{name}": text for name, text in FILES.items()}})


def imported(root, *batches) -> str:
    """Each batch (file names, or "all") imported with one command."""
    said = ""
    for batch in batches:
        paths = [str(root / "statements")] if batch == "all" else [str(root / "statements" / n) for n in batch]
        result = beanclear(root, "import", *paths)
        assert result.exit_code == 0, result.output
        said += result.output
    return said


def balances(root) -> list[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "books" / "wechat").rglob("*.beancount")))
    return sorted(" ".join(line.split()) for line in re.findall(r"^\d{4}-\d\d-\d\d balance .*$", text, re.M))


def failing(root) -> list[str]:
    result = beanclear(root, "check", "--format", "json")
    return [f["message"] for f in json.loads(result.output)["findings"] if f["code"] == "beancount"]


F1, F2, T1, T2 = "fundflow-2026-01.csv", "fundflow-2026-02.csv", "tradebill-2026-01.csv", "tradebill-2026-02.csv"
ORDERS = [("all",), ((T1, T2, F1, F2),), ((T1, F1), (T2, F2)), ((F1,), (T2,), (F2,)), ((F1, T1), (F2, T2)),
          ((F2,), (F1, T1, T2)), ((T2,), (F1,), (F2,)), ((F1,), (F2,)), ((F2,), (F1,))]


@pytest.mark.parametrize("batches", ORDERS)
def test_monthly_wechat_bills_in_los_angeles_assert_the_close_of_the_day_january_ends_inside_once(tmp_path, batches):
    """The close of LA's 31 Jan is February's bill's (30.00: January's 0.00 at 07:30 and
    the afternoon's 30.00), never January's 0.00, whatever the order the four bills come
    in, in one import or apart; every other balance as each bill says it."""
    root = merchant(tmp_path, "America/Los_Angeles")
    said = imported(root, *batches)
    if batches == ("all",):
        assert ("its balance of 2026-02-01 is not the close of 2026-01-31: it lacks that day's rows after its last "
                "one (07:30:00), until 16:00:00, that another statement holds; not asserted") in said
    if batches == ((F1,), (T2,), (F2,)):
        assert "restated the balance of 2026-02-01: the close of the day before, which it starts inside" in said
    assert failing(root) == []
    assert balances(root) == ["2026-01-30 balance Assets:Clearing:WeChat 100.00 CNY",
                              "2026-01-31 balance Assets:Clearing:WeChat 150.00 CNY",
                              "2026-02-01 balance Assets:Clearing:WeChat 30.00 CNY",
                              "2026-02-02 balance Assets:Clearing:WeChat 50.00 CNY"]


@pytest.mark.parametrize("batches", [("all",), ((F1,), (T2,), (F2,)), ((F1, T1), (F2, T2))])
def test_books_ahead_of_china_assert_the_close_of_the_day_january_ends_inside_once(tmp_path, batches):
    """The same ahead of China: in Auckland (UTC+13) China's midnight is 05:00 on 1 Feb,
    so January's bill ends inside Auckland's 1 Feb, and February's holds its rest."""
    root = merchant(tmp_path, "Pacific/Auckland")
    imported(root, *batches)
    assert failing(root) == []
    assert balances(root) == ["2026-01-31 balance Assets:Clearing:WeChat 100.00 CNY",
                              "2026-02-01 balance Assets:Clearing:WeChat 150.00 CNY",
                              "2026-02-02 balance Assets:Clearing:WeChat 30.00 CNY",
                              "2026-02-03 balance Assets:Clearing:WeChat 50.00 CNY"]


@pytest.mark.parametrize("batches", ORDERS)
def test_must_not_fire_books_in_shanghai_keep_every_balance_the_bills_assert(tmp_path, batches):
    """In China's own zone the bills end at the books' midnight: January's close of 31 Jan
    (0.00 after the withdrawal) is asserted, as every other, nothing said of a cut."""
    root = merchant(tmp_path, "Asia/Shanghai")
    said = imported(root, *batches)
    assert failing(root) == []
    assert "not the close of" not in said
    assert balances(root) == ["2026-01-31 balance Assets:Clearing:WeChat 100.00 CNY",
                              "2026-02-01 balance Assets:Clearing:WeChat 0.00 CNY",
                              "2026-02-02 balance Assets:Clearing:WeChat 50.00 CNY"]
