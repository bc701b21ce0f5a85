"""Alipay's app bill (收/付款方式: 花呗, a card, 余额…) and its web export (支付宝交易记录明细查询,
no payment-method column) of one account, overlapping: a row both list is one trade, by its
交易号. Either file, or both in any order, must write the same books (DESIGN §2), and the
app bill's entry of such a row wins: it says which account paid (blind29 personalbills #1:
the web export read first booked a 花呗 purchase off the balance, the app bill's copy then
'already in the books'). The web export's rows of unknown method answer a card's debit
naming Alipay, with or without an app bill beside them (#2)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from conftest import beanclear
from test_alipay_personal import APP_HEADER, WEB_HEADER, web_row
from test_paypal_views import _same_tree

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  alipay_me:
    type: alipay-personal
    settlement_days: 14
    bank: cmb
    sales:
      - {category: "^收入$|支付宝担保交易"}
    accounts: {savings: Assets:Alipay:Yuebao, credit: Liabilities:Alipay:Huabei}
banks:
  cmb: {type: cmb, account: Assets:Bank:CMB}
rules:
  - {match: "美团|三快|盒马|沙县", account: Expenses:Personal}
  - {match: "林建国", account: Income:Family}
"""
# (time, 交易分类, counterparty, item, 收/支, amount, method, trade number, order number)
SALE_0302 = ("2026-03-02 09:00:00", "收入", "buyer_b", "林记湘味腊肠", "收入", "68.00", "", "2026030222001", "T200P2")
CARD_0305 = ("2026-03-05 12:00:00", "餐饮美食", "沙县小吃", "扫码付款", "支出", "20.00", "招商银行(6688)", "2026030522006", "")
HUABEI_0329 = ("2026-03-29 14:27:48", "日用百货", "盒马鲜生(岳麓店)", "盒马订单4533", "支出", "79.40", "花呗", "2026032922003",
               "1000000000000003")
CARD_0330 = ("2026-03-30 12:00:00", "餐饮美食", "上海三快在线科技有限公司", "美团订单-1", "支出", "65.89", "招商银行(6688)",
             "2026033022002", "1000000000000002")
SALE_0331 = ("2026-03-31 10:00:00", "收入", "buyer_a", "林记手工辣椒酱", "收入", "58.00", "", "2026033122001", "T200P1")
# the web export's alone: a purchase of unknown method, a sale
MEAL_0401 = ("2026-04-01 12:30:00", "餐饮美食", "上海三快在线科技有限公司", "美团订单-2", "支出", "33.30", "", "2026040122007", "")
SALE_0402 = ("2026-04-02 11:00:00", "收入", "buyer_c", "剁辣椒", "收入", "39.00", "", "2026040222005", "T200P3")
APP_NAME, WEB_NAME = "支付宝交易明细(20260301-20260331).csv", "alipay_record_20260403_web.txt"


def app_bill(rows, start="2026-03-01", end="2026-03-31") -> bytes:
    lines = ["------", "导出信息：", "支付宝账户：linxm@163.com",
             f"起始时间：[{start} 00:00:00]    终止时间：[{end} 23:59:59]", f"共{len(rows)}笔记录", "", APP_HEADER]
    lines += [f"{t},{cat},{who},/,{item},{way},{amount},{method},交易成功,{trade}\t,{order}\t,," for
              t, cat, who, item, way, amount, method, trade, order in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def web_export(rows, start="2026-03-29", end="2026-04-02") -> bytes:
    body = [web_row(trade, order, t, "支付宝担保交易" if way == "收入" else "即时到账交易", who, item, amount, way, "交易成功",
                    funds="已收入" if way == "收入" else "已支出")
            for t, cat, who, item, way, amount, method, trade, order in sorted(rows, reverse=True)]
    lines = ["支付宝交易记录明细查询", "账号:[linxm@163.com]", f"起始日期:[{start} 00:00:00]    终止日期:[{end} 23:59:59]",
             "---------------------------------交易记录明细列表------------------------------------", WEB_HEADER, *body,
             "------------------------------------------------------------------------------------", f"共{len(rows)}笔记录"]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


APP_ROWS = [SALE_0302, HUABEI_0329, CARD_0330, SALE_0331]
WEB_ROWS = [HUABEI_0329, CARD_0330, SALE_0331, MEAL_0401, SALE_0402]
ORDERS = {"app-web": [[APP_NAME], [WEB_NAME]], "web-app": [[WEB_NAME], [APP_NAME]],
          "one-app-web": [[APP_NAME, WEB_NAME]], "one-web-app": [[WEB_NAME, APP_NAME]], "folder": [["statements"]]}


def cmb(lines) -> bytes:
    """A CMB export of (day, signed amount, text) lines, from 1,000.00."""
    balance, out = Decimal("1000.00"), ["记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要"]
    for day, amount, text in lines:
        balance += Decimal(amount)
        out.append(f'{day},CNY,{amount},"{balance:,.2f}",快捷支付,{text},{text}')
    return ("\r\n".join(out) + "\r\n").encode("gb18030")


def _merchant(folder, app=APP_ROWS, web=WEB_ROWS, bank=None, app_end="2026-03-31"):
    (folder / "statements").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    if app:
        (folder / "statements" / APP_NAME).write_bytes(app_bill(app, end=app_end))
    if web:
        (folder / "statements" / WEB_NAME).write_bytes(web_export(web))
    if bank:
        (folder / "statements" / "CMB_6214830123456688.csv").write_bytes(cmb(bank))
    return folder


def _imported(tmp_path, **files) -> dict:
    out = {}
    for name, imports in ORDERS.items():
        merchant = out[name] = _merchant(tmp_path / name, **files)
        for paths in imports:
            result = beanclear(merchant, "import", *(str(merchant / "statements" / p) if p != "statements"
                                                     else str(merchant / p) for p in paths))
            assert result.exit_code == 0, result.output
            out[name, tuple(paths)] = result.output
    return out


def _entry(books, trade: str) -> str:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((books / "alipay_me").glob("*/*.beancount")))
    return next(block for block in text.split("\n\n") if f'\n  id: "{trade}"' in block)


def test_the_app_bills_row_wins_whatever_the_order_of_import(tmp_path):
    """The tester's overlap (03-29..03-31): one import of the folder read the web export
    first and booked the 79.40 花呗 purchase on the balance; the app bill first booked it on
    花呗. Every order now books the app bill's entry of the rows both list, byte for byte."""
    merchants = _imported(tmp_path)
    books = merchants["app-web"] / "books"
    for name in ORDERS:
        assert _same_tree(books, merchants[name] / "books") == [], name
    huabei = _entry(books, HUABEI_0329[7])
    assert 'method: "花呗"' in huabei and re.search(r"Liabilities:Alipay:Huabei +-79\.40 CNY", huabei), huabei
    assert "Assets:Clearing" not in huabei
    assert 'method: "招商银行(6688)"' in _entry(books, CARD_0330[7])
    assert "method" not in _entry(books, SALE_0331[7])    # money in: the app bill states no method
    # the web export's own rows keep what it says: their method is unknown
    assert 'method: "unknown"' in _entry(books, MEAL_0401[7]) and 'method: "unknown"' in _entry(books, SALE_0402[7])
    assert beanclear(merchants["app-web"], "check").exit_code == 0


def test_the_app_bill_after_the_web_export_says_it_rebooked_their_rows(tmp_path):
    merchants = _imported(tmp_path)
    later = merchants["web-app", (APP_NAME,)]
    assert "3 entries of rows the web export booked (no payment method) now booked from this bill" in later, later
    # the other way round the web export adds nothing: its rows are the app bill's already
    assert "3 already in the books" in merchants["app-web", (WEB_NAME,)]
    assert "now booked from this bill" not in merchants["app-web", (WEB_NAME,)]


def test_an_entry_of_the_web_export_a_person_edited_stays_and_the_import_says_so(tmp_path):
    """A person's comment in the web export's entry of the 花呗 purchase: the app bill leaves
    it as it is (never rewrites a person's lines) and says so, naming it."""
    merchant = _merchant(tmp_path / "m")
    assert beanclear(merchant, "import", str(merchant / "statements" / WEB_NAME)).exit_code == 0
    month = merchant / "books" / "alipay_me" / "2026" / "2026-03.beancount"
    text = month.read_text(encoding="utf-8")
    month.write_text(text.replace('  id: "2026032922003"\n', '  id: "2026032922003"   ; paid how?\n'), encoding="utf-8")
    result = beanclear(merchant, "import", str(merchant / "statements" / APP_NAME))
    assert result.exit_code == 0, result.output
    assert "a person edited left as they are" in result.output and HUABEI_0329[7] in result.output
    assert "; paid how?" in _entry(merchant / "books", HUABEI_0329[7])
    assert 'method: "招商银行(6688)"' in _entry(merchant / "books", CARD_0330[7])   # the rest rebooked


def test_books_of_an_earlier_release_get_the_app_bills_entries_too(tmp_path):
    """The web export's entries written before they said `method: "unknown"`: the app bill's
    entry of a row whose method it states replaces them (never the method added to an entry
    posting the balance), and a row of the balance it states no method of stays as it is."""
    merchant = _merchant(tmp_path / "m")
    assert beanclear(merchant, "import", str(merchant / "statements" / WEB_NAME)).exit_code == 0
    for month in (merchant / "books" / "alipay_me" / "2026").glob("*.beancount"):
        month.write_text(month.read_text(encoding="utf-8").replace('  method: "unknown"\n', ""), encoding="utf-8")
    sale = _entry(merchant / "books", SALE_0331[7])
    result = beanclear(merchant, "import", str(merchant / "statements" / APP_NAME))
    assert result.exit_code == 0, result.output
    huabei = _entry(merchant / "books", HUABEI_0329[7])
    assert 'method: "花呗"' in huabei and "Liabilities:Alipay:Huabei" in huabei and "Clearing" not in huabei
    assert 'method: "招商银行(6688)"' in _entry(merchant / "books", CARD_0330[7])
    assert _entry(merchant / "books", SALE_0331[7]) == sale


def test_two_web_exports_of_the_same_days_add_nothing(tmp_path):
    # (a guess meets a guess: the first stays; the same bytes either way)
    merchant = _merchant(tmp_path / "m", app=None)
    (merchant / "statements" / "again.txt").write_bytes(web_export(WEB_ROWS[:3], end="2026-03-31"))
    assert beanclear(merchant, "import", str(merchant / "statements" / WEB_NAME)).exit_code == 0
    before = _transactions(merchant / "books")
    result = beanclear(merchant, "import", str(merchant / "statements" / "again.txt"))
    assert result.exit_code == 0 and "3 already in the books" in result.output, result.output
    assert _transactions(merchant / "books") == before


def _transactions(books) -> list[str]:
    """The entries of the books' Alipay month files but the coverage records."""
    return [block for path in sorted((books / "alipay_me").glob("*/*.beancount"))
            for block in path.read_text(encoding="utf-8").split("\n\n") if "beanclear-coverage" not in block]


# -- the web export's rows of unknown method and the card's debits ----------------------------

CMB_OPEN = ("2026-03-02", "100.00", "林建国")
CMB_CARD_0305 = ("2026-03-05", "-20.00", "支付宝-沙县小吃")
CMB_CARD_0330 = ("2026-03-30", "-65.89", "支付宝-上海三快在线科技有限公司")


def findings(merchant) -> list[tuple]:
    result = beanclear(merchant, "check", "--format", "json")
    return [(f["code"], f["amount"], f["refs"]) for f in json.loads(result.output)["findings"]]


def test_a_card_debit_is_answered_by_the_web_exports_row_with_or_without_an_app_bill(tmp_path):
    """The tester's 65.89 美团 purchase the card paid, in the web export (03-29..04-02) and
    the card's debit naming 支付宝: it was bank-unmatched once the app bill (03-01..03-28,
    whose 03-05 card row answers its own debit) started the channel's statements early
    enough to judge it. The web export's row of unknown method answers it either way."""
    with_app = _merchant(tmp_path / "with", app=[SALE_0302, CARD_0305], web=[HUABEI_0329, CARD_0330, SALE_0402],
                         bank=[CMB_OPEN, CMB_CARD_0305, CMB_CARD_0330], app_end="2026-03-28")
    assert beanclear(with_app, "import", str(with_app / "statements")).exit_code == 0
    assert [f for f in findings(with_app) if f[0] == "bank-unmatched"] == []
    alone = _merchant(tmp_path / "alone", app=None, web=[HUABEI_0329, CARD_0330, SALE_0402],
                      bank=[CMB_OPEN, CMB_CARD_0330])
    assert beanclear(alone, "import", str(alone / "statements")).exit_code == 0
    assert [f for f in findings(alone) if f[0] == "bank-unmatched"] == []


def test_a_card_debit_no_row_of_its_amount_answers_is_still_bank_unmatched(tmp_path):
    # must not hide: the debit of 45.00 whose Alipay record is nowhere (the tester's #6),
    # beside the web export's rows of unknown method of other amounts
    debit = ("2026-03-30", "-45.00", "支付宝-某店")
    merchant = _merchant(tmp_path / "m", app=[SALE_0302, CARD_0305], web=[HUABEI_0329, CARD_0330, SALE_0402],
                         bank=[CMB_OPEN, CMB_CARD_0305, debit], app_end="2026-03-28")
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    unmatched = [f for f in findings(merchant) if f[0] == "bank-unmatched"]
    assert [amount for _, amount, _ in unmatched] == ["45.00"], unmatched


def test_one_debit_answers_one_row(tmp_path):
    # two debits of 65.89 and one row of that amount (the web export's): one debit unanswered
    merchant = _merchant(tmp_path / "m", app=[SALE_0302, CARD_0305], web=[HUABEI_0329, CARD_0330, SALE_0402],
                         bank=[CMB_OPEN, CMB_CARD_0305, CMB_CARD_0330, CMB_CARD_0330], app_end="2026-03-28")
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    assert [amount for code, amount, _ in findings(merchant) if code == "bank-unmatched"] == ["65.89"]


def test_clearing_holds_the_balance_a_card_payment_of_the_web_export_leaves(tmp_path):
    # the card's debit into clearing, the web export's purchase out of it: nothing left there
    merchant = _merchant(tmp_path / "m", app=None, web=[CARD_0330], bank=[CMB_OPEN, CMB_CARD_0330])
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    text = (merchant / "books" / "cmb" / "2026" / "2026-03.beancount").read_text(encoding="utf-8") + \
        _entry(merchant / "books", CARD_0330[7])
    moved = [Decimal(n) for n in re.findall(r"Assets:Clearing:AlipayMe +(-?[0-9.]+) CNY", text)]
    assert sum(moved) == 0 and len(moved) == 2


def test_a_top_up_of_the_web_export_meets_the_cards_debit_and_one_without_is_a_finding(tmp_path):
    """A 充值 in the web export is from a card, its method unnamed: booked as the app bill's
    top-up by card is, the bank's debit naming Alipay answers it; without that debit, the
    top-up is the finding, naming no card it cannot name."""
    top_up = web_row("2026033122009", "", "2026-03-31 09:00:00", "充值", "招商银行", "充值-普通充值", "300.00", "", "交易成功",
                     funds="资金转移")

    def merchant(name, bank):
        folder = _merchant(tmp_path / name, app=[SALE_0302, CARD_0305], web=[CARD_0330], bank=bank,
                           app_end="2026-03-28")
        text = (folder / "statements" / WEB_NAME).read_bytes().decode("gb18030").replace(
            "共1笔记录", "共2笔记录").replace(WEB_HEADER + "\r\n", WEB_HEADER + "\r\n" + top_up + "\r\n")
        (folder / "statements" / WEB_NAME).write_bytes(text.encode("gb18030"))
        assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
        return folder
    met = merchant("met", [CMB_OPEN, CMB_CARD_0305, CMB_CARD_0330, ("2026-03-31", "-300.00", "支付宝充值")])
    assert [f for f in findings(met) if f[0] == "bank-unmatched"] == []
    alone = merchant("alone", [CMB_OPEN, CMB_CARD_0305, CMB_CARD_0330, ("2026-04-03", "-1.00", "支付宝-沙县小吃")])
    result = json.loads(beanclear(alone, "check", "--format", "json").output)["findings"]
    messages = [f["message"] for f in result if f["code"] == "bank-unmatched"]
    assert "alipay_me top-up of 300.00 CNY from a card its statement does not name, but no bank debit explains it" \
        in messages, messages
