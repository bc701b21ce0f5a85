"""A WeChat fund bill's refund takes the order of the payment it refunds (its 资金流水单号
names that payment; its 业务凭证号 is the merchant's refund number): found in the same
bill, in another bill of the same import, or in the books (ledger/statements/refund_orders.py)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from beanclear.books import Books
from beanclear.importers.base import Extraction, posting, transaction
from beanclear.statements import refund_orders
from conftest import beanclear, snapshot
from test_shop_journey import shop_export

CONFIG = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, settlement_days: 400, fees: [{rate: 0.006}]}
"""
WITH_SHOP = CONFIG + """\
shops:
  teashop: {type: shopify, currency: CNY, order_days: 3}
"""
HEADER = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"
PAYMENT = "2026-03-01 10:00:00,4200001001,F0001,交易,交易,收入,100.00,100.00,系统,,1001"
FEE = "2026-03-01 10:00:00,4200001001,F0002,扣除交易手续费,扣除交易手续费,支出,0.60,99.40,系统,,1001"


def refund(number: str, paid: str = "4200001001") -> str:
    return (f"2026-03-04 15:00:00,50300001,{paid},退款,退款,支出,99.40,0.00,1601959334API,"
            f"退款总金额100.00元;含手续费0.60元,{number}")


def fund_bill(path, rows):
    income = [r for r in rows if ",收入," in r]
    spent = [r for r in rows if ",支出," in r]
    total = lambda rs: f"{sum(float(r.split(',')[6]) for r in rs):.2f}"
    lines = [HEADER, *(",".join("`" + c for c in r.split(",")) for r in rows),
             "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额",
             f"`{len(rows)},`{len(income)},`{total(income)},`{len(spent)},`{total(spent)}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def merchant(tmp_path, config=WITH_SHOP, refund_row=None, refunded="100.00"):
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    if "shops:" in config:
        (tmp_path / "orders").mkdir()
        shop_export(tmp_path / "orders", [("1001", "01", "100.00", refunded, "refunded")])
    fund_bill(tmp_path / "bills" / "fundflow-2026-03-01.csv", [PAYMENT, FEE])
    fund_bill(tmp_path / "bills" / "fundflow-2026-03-04.csv", [refund_row or refund("RF1001-1")])
    return tmp_path


def imported(folder, *paths):
    result = beanclear(folder, "import", *(str(folder / p) for p in paths))
    assert result.exit_code == 0, result.output
    return result.output


def refund_entry(folder) -> str:
    text = (folder / "books" / "wechat" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    return next(block for block in text.split("\n\n") if "退款 " in block).strip()


def findings(folder):
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["refs"][0]) for f in report["findings"])


FOUND = """\
2026-03-04 * "WeChat Pay" "退款 RF1001-1 退款总金额100.00元;含手续费0.60元" ^order-1001
  time: "15:00:00"
  id: "50300001"
  covers: "fee-back 50300001"
  fund-id: "4200001001"
  refund-order-id: "RF1001-1"
  order-id: "1001"
  refund-of: "4200001001"
  Assets:Clearing:WeChat                      -99.40 CNY
  Expenses:Fees:WeChat                         -0.60 CNY
  Assets:Receivable:Teashop                   100.00 CNY"""


def test_a_refund_of_a_payment_in_the_books_takes_that_payments_order(tmp_path):
    folder = merchant(tmp_path)
    imported(folder, "orders", "bills/fundflow-2026-03-01.csv")
    imported(folder, "bills/fundflow-2026-03-04.csv")
    assert refund_entry(folder) == FOUND
    assert findings(folder) == [("refund-rate", "50300001")]   # all it sold, refunded: nothing of the order


def test_a_refund_of_a_payment_in_another_bill_of_the_import_takes_its_order(tmp_path):
    folder = merchant(tmp_path)
    imported(folder, "bills", "orders")   # the refund's bill is read before the shop's orders
    assert refund_entry(folder) == FOUND
    assert findings(folder) == [("refund-rate", "50300001")]   # all it sold, refunded: nothing of the order


def test_a_refund_imported_before_its_payment_takes_its_order_when_the_payment_comes(tmp_path):
    # A merchant who imports this month's bill before last month's: the refund waits with
    # no order; the import of its payment gives it the order and moves its sale to the
    # shop's receivable, as importing both together writes it (books/late_refunds.py).
    folder = merchant(tmp_path)
    imported(folder, "orders", "bills/fundflow-2026-03-04.csv")
    assert "\n  order-id:" not in refund_entry(folder)
    output = imported(folder, "bills/fundflow-2026-03-01.csv")
    assert "note: 1 refund(s) booked before their payments now name their orders" in output
    assert refund_entry(folder) == FOUND
    assert findings(folder) == [("refund-rate", "50300001")]
    (tmp_path / "together").mkdir()
    together = merchant(tmp_path / "together")
    imported(together, "orders", "bills")
    assert snapshot(folder / "books") == snapshot(together / "books")
    again = beanclear(folder, "import", "--force", str(folder / "bills" / "fundflow-2026-03-01.csv"))
    assert again.exit_code == 0 and "refund(s) booked before" not in again.output   # nothing placed twice


def test_without_a_shop_the_refund_still_meets_its_payment(tmp_path):
    # The clearing check takes a refund's money back from its own payment by the order link.
    folder = merchant(tmp_path, CONFIG)
    imported(folder, "bills/fundflow-2026-03-01.csv")
    imported(folder, "bills/fundflow-2026-03-04.csv")
    entry = refund_entry(folder)
    assert entry.splitlines()[0].endswith("^order-1001") and 'refund-of: "4200001001"' in entry
    assert "Income:Sales:WeChat                         100.00 CNY" in entry


def test_a_refund_number_no_shop_holds_is_never_taken_for_the_order(tmp_path):
    # The payment is not in the books (imported before them): the refund names no order,
    # rather than ^order-RF1001-1, a receivable no order would ever clear.
    folder = merchant(tmp_path, refund_row=refund("RF1001-1", paid="4200009999"))
    imported(folder, "orders", "bills/fundflow-2026-03-04.csv")
    entry = refund_entry(folder)
    assert "\n  order-id:" not in entry and "^order-" not in entry
    assert 'refund-order-id: "RF1001-1"' in entry and "Income:Sales:WeChat" in entry


def test_a_refund_numbered_as_its_order_is_linked_where_the_shop_holds_the_order(tmp_path):
    folder = merchant(tmp_path, refund_row=refund("1001", paid="4200009999"))
    imported(folder, "orders", "bills/fundflow-2026-03-04.csv")
    entry = refund_entry(folder)
    assert entry.splitlines()[0].endswith("^order-1001") and 'order-id: "1001"' in entry
    assert "refund-of:" not in entry and "Assets:Receivable:Teashop                   100.00 CNY" in entry


def test_the_books_give_the_order_of_an_id_asked_for_only(tmp_path, monkeypatch):
    month = tmp_path / "wechat" / "2026" / "2026-03.beancount"
    month.parent.mkdir(parents=True)
    entries = [f'2026-03-{d:02d} * "WeChat Pay" "交易"\n  time: "10:00:00"\n  id: "42{d}"\n  order-id: "A\\"{d}"\n'
               f"  Assets:Clearing:WeChat  1.00 CNY\n  Income:Sales:WeChat  -1.00 CNY\n" for d in range(1, 29)]
    entries.insert(3, '2026-03-03 * "WeChat Pay" "fee"\n  id: "fee 423"\n  Expenses:Fees:WeChat  1.00 CNY\n'
                      '  Assets:Clearing:WeChat  -1.00 CNY\n')
    month.write_text("\n".join(entries), encoding="utf-8")
    monkeypatch.setattr("beanclear.books.disk.KEEP_TEXT", 200)   # read in pieces: blocks cut at entries
    assert Books(tmp_path).orders_of("wechat", {"423", "4227", "fee 423", "999"}) == {"423": 'A"3', "4227": 'A"27'}


def test_within_a_bill_leaves_a_refund_it_cannot_place_marked():
    pay = transaction("f", 1, dt.date(2026, 3, 1), "WeChat Pay", "交易", {"id": "P1", "order-id": "O1"},
                      [posting("Assets:Clearing:WeChat", Decimal("1"), "CNY")], [])
    meta_a, meta_b = {"id": "R1", "refund-order-id": "N1"}, {"id": "R2", "refund-order-id": "N2"}
    refund_orders.mark(meta_a, "P1")
    refund_orders.mark(meta_b, "P9")
    a, b = (transaction("f", 2, pay.date, "WeChat Pay", "退款", meta,
                        [posting("Assets:Clearing:WeChat", Decimal("-1"), "CNY")], []) for meta in (meta_a, meta_b))
    out = Extraction(entries=[pay, a, b])
    refund_orders.within(out, lambda order: "order-" + order)
    _, placed, left = out.entries
    assert out.unplaced_refunds == {"P9"}
    assert (placed.meta["order-id"], placed.meta["refund-of"], placed.links) == ("O1", "P1", {"order-O1"})
    assert refund_orders.FROM not in placed.meta
    assert left is b and refund_orders.wanted([left]) == {"P9"}


def test_spilled_statements_place_refunds_as_held_ones(tmp_path, monkeypatch):
    # Past spill.LIMIT a statement's entries are on disk and written anew when a refund
    # is placed: the books come out the same as from entries held in memory.
    from conftest import snapshot
    from test_import_spill import tiny
    books = {}
    for spilled in (False, True):
        with monkeypatch.context() as m:
            if spilled:
                tiny(m)
            (tmp_path / str(spilled)).mkdir()
            folder = merchant(tmp_path / str(spilled))
            others = [f"2026-03-02 10:{n:02d}:00,42000020{n:02d},F1{n:02d},交易,交易,收入,1.00,{100.40 + n:.2f},系统,,9{n}"
                      for n in range(20)]
            fund_bill(folder / "bills" / "fundflow-2026-03-02.csv", others)
            imported(folder, "bills", "orders")
            assert refund_entry(folder) == FOUND
            books[spilled] = snapshot(folder / "books")
    assert books[True] == books[False]
