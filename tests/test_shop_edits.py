"""An order edited after payment, between two downloads of the shop's export, is what
the newer export says of it (ledger/statements/order_edits.py): whatever order the
exports are imported in, in one import or two, the books are byte for byte the same;
which export is newer is what their rows say (Shopify's `Paid at`), never which file
came last; where nothing says it, the summary says so and nothing is guessed."""

from __future__ import annotations

import csv
import re

import pytest

from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 12, fees: [{rate: 0.029, fixed: 0.30}]}
  paypal: {type: paypal, currency: USD, settlement_days: 12, fees: [{rate: 0.0349, fixed: 0.49}]}
shops:
  shop: {type: shopify, order_days: 7}
"""
HEADER = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,"
          "Lineitem name,Lineitem price,Payment Method,Refunded Amount").split(",")
CAPS = [("#1001", "02"), ("#1002", "05"), ("#1003", "08")]
# #1020 before the edit (exported the evening of 02-11), and after it: a cap added on
# 02-13, its 25.00 paid by PayPal (blind7's repro_edit)
BEFORE = [("#1020", "2026-02-11 16:02:00 -0500", "85.95", "Fleece Pullover")]
AFTER = [("#1020", "2026-02-13 12:00:00 -0500", "110.95", "Fleece Pullover", "Hiking Cap")]
STRIPE = [("txn_a1", "2026-02-02 15:01:00", "40.00", "1.46", "Order #1001 by A"),
          ("txn_a2", "2026-02-05 15:01:00", "40.00", "1.46", "Order #1002 by B"),
          ("txn_a3", "2026-02-08 15:01:00", "40.00", "1.46", "Order #1003 by C"),
          ("txn_a4", "2026-02-11 21:02:00", "85.95", "2.79", "Order #1020 by D")]


def export(path, edited):
    """The shop's export: three caps, and #1020 as `edited` says it."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        for name, day in CAPS:
            w.writerow([name, "c@x.example", "paid", f"2026-02-{day} 10:01:00 -0500", "USD", "40.00", "0.00", "0.00",
                        "40.00", f"2026-02-{day} 10:00:00 -0500", "1", "Cap", "40.00", "Shopify Payments", "0.00"])
        for name, paid, total, *items in edited:
            w.writerow([name, "d@x.example", "paid", paid, "USD", total, "0.00", "0.00", total,
                        "2026-02-11 16:00:00 -0500", "1", items[0], total, "Shopify Payments", "0.00"])
            for item in items[1:]:
                w.writerow([name] + [""] * 9 + ["1", item, "22.00", "", ""])


def merchant(tmp_path, before=BEFORE, after=AFTER):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for folder in ("a", "b", "channels"):
        (tmp_path / folder).mkdir()
    export(tmp_path / "a" / "orders_export_a.csv", before)
    export(tmp_path / "b" / "orders_export_b.csv", after)
    with open(tmp_path / "channels" / "balance_change_from_activity.itemized.csv", "w", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(["balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net",
                    "reporting_category", "source_id", "description"])
        for txn, when, gross, fee, text in STRIPE:
            net = f"{float(gross) - float(fee):.2f}"
            w.writerow([txn, when, when, "usd", gross, fee, net, "charge", "ch_" + txn, text])
    with open(tmp_path / "channels" / "Download.CSV", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(["Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
                    "From Email Address", "To Email Address", "Transaction ID", "Item Title", "Reference Txn ID",
                    "Invoice Number", "Balance", "Balance Impact"])
        w.writerow(["02/13/2026", "09:00:00", "PST", "D", "Express Checkout Payment", "Completed", "USD", "25.00",
                    "-1.36", "23.64", "d@x", "s@x", "PP0000000000000A1", "Order #1020", "", "1020", "23.64",
                    "Credit"])
    return tmp_path


def imported(folder, *names) -> str:
    result = beanclear(folder, "import", *(str(folder / n) for n in names))
    assert result.exit_code == 0, result.output
    return result.output


def order_1020(folder) -> str:
    text = (folder / "books" / "shop" / "2026" / "2026-02.beancount").read_text(encoding="utf-8")
    return re.search(r'\n(2026-02-11 \* "Order #1020[^\n]*\n(?:  [^\n]*\n)*)', text).group(1)


def findings(folder) -> list[str]:
    result = beanclear(folder, "check")
    return [line for line in result.output.splitlines() if line.startswith(("error", "warning"))]


@pytest.mark.parametrize("orders", [("a", "b"), ("b", "a"), (("a", "b"),), (("b", "a"),)])
def test_an_order_edited_after_payment_is_what_the_newer_export_says_in_any_order(tmp_path, orders):
    """Two imports either way, or one of both: the same books, #1020 at 110.95 with the
    cap and the newer Paid at; the PayPal payment of the difference is no duplicate."""
    folder = merchant(tmp_path)
    imported(folder, "channels")
    said = [imported(folder, *((step,) if isinstance(step, str) else step)) for step in orders]
    assert order_1020(folder) == (
        '2026-02-11 * "Order #1020 / Fleece Pullover, Hiking Cap" ^order-1020\n'
        '  time: "16:00:00"\n'
        '  id: "order:#1020"\n'
        '  order-id: "#1020"\n'
        '  paid-at: "2026-02-13 12:00:00 -0500"\n'
        '  Assets:Receivable:Shop                      110.95 USD\n'
        '  Income:Sales:Shop                          -110.95 USD\n')
    assert findings(folder) == []
    if orders == ("a", "b"):   # the newer export says what changed, and by how much
        assert ("order #1020 changed since the books took it, and this export is newer (Paid at "
                "2026-02-13 12:00:00 -0500, the books' 2026-02-11 16:02:00 -0500): its entry now says 110.95 USD "
                "(was 85.95 USD: +25.00 USD)") in said[1], said[1]
    if orders == ("b", "a"):   # the older one changes nothing, and says why
        assert ("order #1020: this export is older than the books' (Paid at 2026-02-11 16:02:00 -0500, the books' "
                "2026-02-13 12:00:00 -0500): kept as they hold it, 110.95 USD (85.95 USD here)") in said[1], said[1]
    books = snapshot(folder / "books")
    for again in ("a", "b"):
        assert beanclear(folder, "import", "--force", str(folder / again)).exit_code == 0
    assert snapshot(folder / "books") == books


def books_of(tmp_path, name, *orders, before=BEFORE, after=AFTER):
    folder = merchant(tmp_path / name, before, after)
    imported(folder, "channels")
    said = [imported(folder, *step) for step in orders]
    return snapshot(folder / "books"), said, folder


def test_either_order_of_import_gives_byte_identical_books(tmp_path):
    first, _, _ = books_of(tmp_path, "ab", ("a",), ("b",))
    assert books_of(tmp_path, "ba", ("b",), ("a",))[0] == first
    assert books_of(tmp_path, "both", ("b", "a"))[0] == first


def test_two_exports_that_disagree_and_do_not_say_which_is_newer_are_said_not_guessed(tmp_path):
    """The same Paid at, another total: nothing tells which export is newer. The books
    keep what they hold, and the summary says so (and so does the order check)."""
    same = [("#1020", "2026-02-11 16:02:00 -0500", "110.95", "Fleece Pullover", "Hiking Cap")]
    _, said, folder = books_of(tmp_path, "tie", ("a",), ("b",), after=same)
    assert ("order #1020: this export says 110.95 USD, the books 85.95 USD, and nothing tells which is newer (the "
            "same Paid at, or none): kept as the books hold it; see which the shop shows now, and correct the "
            "entry by hand if it is this one") in said[1], said[1]
    assert '85.95 USD' in order_1020(folder)
    # in one import, the first statement's is booked, and said on the other's summary
    _, [both], folder = books_of(tmp_path, "tie_both", ("a", "b"), after=same)
    assert "nothing tells which is newer" in both and "85.95 USD" in order_1020(folder)


def test_an_order_entry_a_person_changed_is_left_as_it_is_and_said(tmp_path):
    folder = merchant(tmp_path)
    imported(folder, "channels")
    imported(folder, "a")
    month = folder / "books" / "shop" / "2026" / "2026-02.beancount"
    text = month.read_text(encoding="utf-8")
    month.write_text(text.replace("  Income:Sales:Shop                           -85.95 USD\n",
                                  "  Income:Sales:Apparel                        -85.95 USD\n"), encoding="utf-8")
    said = imported(folder, "b")
    assert "Income:Sales:Apparel" in order_1020(folder) and "85.95 USD" in order_1020(folder)
    assert ("order #1020 changed since the books took it, and this export is newer (Paid at 2026-02-13 12:00:00 "
            "-0500): left as the books hold it, 85.95 USD (its lines are not as beanclear wrote them); it is "
            "110.95 USD now") in said, said


def test_an_order_of_a_closed_month_changed_since_books_the_difference_in_the_open_month(tmp_path):
    # blind24 giftcards: an item added and paid after the order's month was closed: the
    # payment of the difference was a duplicate-charge; the difference is booked in the
    # open month, as a refund learned after a close is
    folder = merchant(tmp_path)
    imported(folder, "channels")
    imported(folder, "a")
    (folder / "books" / "periods.beancount").write_text(
        '2026-03-01 custom "beanclear-close" "2026-02"\n', encoding="utf-8")
    said = imported(folder, "b")
    assert "85.95 USD" in order_1020(folder)
    assert ("left as the books hold it, 85.95 USD (its month, 2026-02, is closed); it is 110.95 USD now: the "
            "difference, 25.00 USD, is booked on 2026-03-01 (order-edit:#1020), as a refund learned after a close "
            "is") in said, said
    march = (folder / "books" / "shop" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    assert ('2026-03-01 * "Order #1020 changed after 2026-02 closed: +25.00" ^order-1020\n  id: "order-edit:#1020"\n'
            '  order-id: "#1020"\n  Assets:Receivable:Shop') in march
    assert not [f for f in findings(folder) if "duplicate-charge" in f or "#1020" in f]
    again = beanclear(folder, "import", "--force", str(folder / "b"))
    assert again.exit_code == 0 and "0 entries written" in again.output, again.output
    assert "the difference, 25.00 USD, is booked already (order-edit:#1020)" in again.output


# A Pinduoduo order refunded in part after the first download (blind7's repro1): the
# re-download's 售后状态 `退款成功` states no amount, so its order says `refund-amount:
# "not stated"`, and the WeChat refund of 30.00 is the shop's. A refund state only moves
# forward (none, then refunded): whichever export came first, the entry says it.
PDD_CONFIG = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, settlement_days: 60, shop: pdd}
shops:
  pdd: {type: pinduoduo, order_days: 3}
checks:
  refund-rate: {severity: off}
"""
PDD_HEADER = ("商品,订单号,订单状态,商品总价(元),店铺优惠折扣(元),平台优惠折扣(元),邮费(元),用户实付金额(元),"
              "商家实收金额(元),订单成交时间,支付时间,售后状态")
TRADE_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
                "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
                "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")


def pdd_export(path, after_sale_a):
    rows = [("茶A", "260301-111111111111111", "100.00", "2026-03-01", after_sale_a),
            ("茶C", "260303-333333333333333", "80.00", "2026-03-03", "无售后或售后取消")]
    path.write_text("\n".join([PDD_HEADER] + [
        f"{title},{oid},已签收,{amt},0,0,0,{amt},{amt},{day} 10:00:00,{day} 10:00:30,{after}"
        for title, oid, amt, day, after in rows]) + "\n", encoding="utf-8")


def pdd_merchant(tmp_path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(PDD_CONFIG, encoding="utf-8")
    for folder in ("a", "b", "channels"):
        (tmp_path / folder).mkdir()
    pdd_export(tmp_path / "a" / "pdd-2026-03-dl0310.csv", "无售后或售后取消")
    pdd_export(tmp_path / "b" / "pdd-2026-03-dl0401.csv", "退款成功")
    bill = [("2026-03-01 10:00:30", "4200000000000000000000000001", "260301-111111111111111", "SUCCESS", "100.00",
             "0", "0", "0.00", "0.60000", "100.00", "0.00"),
            ("2026-03-03 10:00:30", "4200000000000000000000000003", "260303-333333333333333", "SUCCESS", "80.00",
             "0", "0", "0.00", "0.48000", "80.00", "0.00"),
            ("2026-03-20 09:00:00", "4200000000000000000000000001", "260301-111111111111111", "REFUND", "0.00",
             "50300000000000000000000000001", "RA1", "30.00", "-0.18000", "0.00", "30.00")]
    lines = [TRADE_HEADER] + [
        ",".join("`" + c for c in (when, "wx1", "1900000109", "0", "", wx, oid, "o1", "JSAPI", state, "OTHERS", "CNY",
                                   settled, "0.00", refund_id, refund_no, refunded, "0.00",
                                   "ORIGINAL" if state == "REFUND" else "", "SUCCESS" if state == "REFUND" else "",
                                   "茶", "", fee, "0.60%", total, asked, ""))
        for when, wx, oid, state, settled, refund_id, refund_no, refunded, fee, total, asked in bill]
    lines += ["总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
              "`3,`180.00,`30.00,`0.00,`0.90000,`180.00,`30.00"]
    (tmp_path / "channels" / "tradebill-2026-03.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def order_a(folder) -> str:
    text = (folder / "books" / "pdd" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    return re.search(r'(2026-03-01 \* "Order 260301-[^\n]*\n(?:  [^\n]*\n)*)', text).group(1)


@pytest.mark.parametrize("orders", [("a", "b"), ("b", "a"), (("a", "b"),), (("b", "a"),)])
def test_a_redownload_saying_refunded_without_an_amount_is_followed_in_any_order(tmp_path, orders):
    """The first export shows order A with no after-sale, the re-download `退款成功` (no
    amount): in two imports either way, or one of both, A's entry says `refund-amount:
    "not stated"`, so the WeChat refund is the shop's (no refund-unsynced), and the books
    are byte for byte the same."""
    def books_after(folder, steps):
        imported(folder, "channels")
        return [imported(folder, *((s,) if isinstance(s, str) else s)) for s in steps]
    said = books_after(pdd_merchant(tmp_path / "run"), orders)
    folder = tmp_path / "run"
    assert order_a(folder) == (
        '2026-03-01 * "Order 260301-111111111111111 / 茶A" ^order-260301-111111111111111\n'
        '  time: "10:00:00"\n'
        '  id: "order:260301-111111111111111"\n'
        '  order-id: "260301-111111111111111"\n'
        '  refund-amount: "not stated"\n'
        '  Assets:Receivable:Pdd                       100.00 CNY\n'
        '  Income:Sales:Pdd                           -100.00 CNY\n')
    assert findings(folder) == []
    if orders == ("a", "b"):   # the re-download says what it changed
        assert ("order 260301-111111111111111: refunded since the books took it, the amount not stated: its entry "
                'now says refund-amount: "not stated"') in said[1], said[1]
    reference = pdd_merchant(tmp_path / "reference")
    books_after(reference, [("b",)])
    books_after(reference, [("a",)])   # the older export after the newer changes nothing
    assert snapshot(folder / "books") == snapshot(reference / "books")
    for again in ("a", "b"):
        assert beanclear(folder, "import", "--force", str(folder / again)).exit_code == 0
    assert snapshot(folder / "books") == snapshot(reference / "books")


def test_a_refund_state_an_entry_a_person_changed_cannot_take_is_said(tmp_path):
    folder = pdd_merchant(tmp_path)
    imported(folder, "channels")
    imported(folder, "a")
    month = folder / "books" / "pdd" / "2026" / "2026-03.beancount"
    text = month.read_text(encoding="utf-8")
    month.write_text(text.replace("  Income:Sales:Pdd                           -100.00 CNY\n",
                                  "  Income:Sales:Tea                           -100.00 CNY\n", 1), encoding="utf-8")
    said = imported(folder, "b")
    assert "refund-amount" not in order_a(folder)
    assert ("order 260301-111111111111111: refunded since the books took it, the amount not stated: left as the "
            "books hold it (its lines are not as beanclear wrote them); add refund-amount: "
            '"not stated" to its entry, or book the shop\'s refund by hand') in said, said


# A Shopify order paid in part (round 11): a deposit of 40.00 on 02-11, the export that evening
# partially_paid with 60.00 outstanding; the balance paid on 02-14, the next export says paid.
# The balance only goes down as the customer pays it: whichever export came first, the entry
# says what is still owed, and the balance's payment is no duplicate or mismatch.
OWING_HEADER = HEADER + ["Outstanding Balance"]


def owing_export(path, status, paid_at, outstanding):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(OWING_HEADER)
        for name, day in CAPS:
            w.writerow([name, "c@x.example", "paid", f"2026-02-{day} 10:01:00 -0500", "USD", "40.00", "0.00", "0.00",
                        "40.00", f"2026-02-{day} 10:00:00 -0500", "1", "Cap", "40.00", "Shopify Payments", "0.00",
                        "0.00"])
        w.writerow(["#1030", "e@x.example", status, paid_at, "USD", "100.00", "0.00", "0.00", "100.00",
                    "2026-02-11 16:00:00 -0500", "1", "Teapot", "100.00", "Shopify Payments", "0.00", outstanding])


def owing_merchant(tmp_path, balance_paid=True):
    folder = merchant(tmp_path)
    for old in ("a", "b"):
        for f in (folder / old).iterdir():
            f.unlink()
    owing_export(folder / "a" / "orders_export_a.csv", "partially_paid", "", "60.00")
    owing_export(folder / "b" / "orders_export_b.csv", "paid", "2026-02-14 10:00:00 -0500", "0.00")
    (folder / "channels" / "Download.CSV").unlink()
    stripe = folder / "channels" / "balance_change_from_activity.itemized.csv"
    rows = stripe.read_text(encoding="utf-8").splitlines()[:-1]   # not #1020's
    rows.append('"txn_d1","2026-02-11 21:02:00","2026-02-11 21:02:00","usd","40.00","1.46","38.54","charge",'
                '"ch_txn_d1","Order #1030 by E"')
    if balance_paid:
        rows.append('"txn_d2","2026-02-14 15:01:00","2026-02-14 15:01:00","usd","60.00","2.04","57.96","charge",'
                    '"ch_txn_d2","Order #1030 by E"')
    stripe.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def order_1030(folder) -> str:
    text = (folder / "books" / "shop" / "2026" / "2026-02.beancount").read_text(encoding="utf-8")
    return re.search(r'\n(2026-02-11 \* "Order #1030[^\n]*\n(?:  [^\n]*\n)*)', text).group(1)


@pytest.mark.parametrize("orders", [("a", "b"), ("b", "a"), (("a", "b"),), (("b", "a"),)])
def test_an_order_paid_in_part_then_in_full_says_what_the_furthest_export_says_in_any_order(tmp_path, orders):
    folder = owing_merchant(tmp_path / "run")
    imported(folder, "channels")
    said = [imported(folder, *((step,) if isinstance(step, str) else step)) for step in orders]
    if orders == ("a", "b"):   # the balance's export says what it changed
        assert ("order #1030 changed since the books took it, and this export is newer (less of it is outstanding, "
                "and the books' says no Paid at): its entry now says what it does (its title, its Paid at); "
                "outstanding: none (was 60.00)") in said[1], said[1]
    assert order_1030(folder) == (
        '2026-02-11 * "Order #1030 / Teapot" ^order-1030\n'
        '  time: "16:00:00"\n'
        '  id: "order:#1030"\n'
        '  order-id: "#1030"\n'
        '  paid-at: "2026-02-14 10:00:00 -0500"\n'
        '  Assets:Receivable:Shop                      100.00 USD\n'
        '  Income:Sales:Shop                          -100.00 USD\n')
    assert findings(folder) == []
    books = snapshot(folder / "books")
    for again in ("a", "b"):
        assert beanclear(folder, "import", "--force", str(folder / again)).exit_code == 0
    assert snapshot(folder / "books") == books


def test_an_order_paid_in_part_owes_the_channels_only_the_part_paid(tmp_path):
    # the first export alone: the deposit paid what the channels owe, the rest is the customer's
    folder = owing_merchant(tmp_path, balance_paid=False)
    imported(folder, "channels")
    imported(folder, "a")
    assert '  outstanding: "60.00"\n' in order_1030(folder)
    assert findings(folder) == []


# An order booked from an export that said it was paid, and a later export that says it
# took no money (blind32 newcomer3: Shopify's #2015 `paid`, then `voided`): the import said
# "skipped 1 voided (authorisation released, no money moved)" and nothing of the sale the
# books kept. Nothing tells which export is newer (a voided order states no Paid at to
# compare), so the books stay as they are, and the import says so, order by order, with
# the sale, where it is, and what to do (statements/no_money.py).
VOIDED_NOTE = (
    "order #1020: this export says {status}, but the books hold its sale of 85.95 USD (Assets:Receivable:Shop, its "
    "entry of 2026-02-11 in books/shop/2026/2026-02.beancount), booked from another export; nothing tells which is "
    "newer, so the books "
    "keep it: if the shop shows the order paid, this export is the older; if it was cancelled and never paid, "
    "`beanclear write-off order-unpaid '#1020' --reason \"…\"` takes the sale out once `beanclear check` lists it "
    "unpaid")


def unpaid_export(path, status, paid_at="", cancelled_at=""):
    """The shop's export with #1020 in `status` (no money taken), the caps paid."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER + ["Cancelled at"])
        for name, day in CAPS:
            w.writerow([name, "c@x.example", "paid", f"2026-02-{day} 10:01:00 -0500", "USD", "40.00", "0.00", "0.00",
                        "40.00", f"2026-02-{day} 10:00:00 -0500", "1", "Cap", "40.00", "Shopify Payments", "0.00", ""])
        w.writerow(["#1020", "d@x.example", status, paid_at, "USD", "85.95", "0.00", "0.00", "85.95",
                    "2026-02-11 16:00:00 -0500", "1", "Fleece Pullover", "85.95", "Shopify Payments", "0.00",
                    cancelled_at])


@pytest.mark.parametrize("status, cancelled, said", [
    ("voided", "", "voided (authorisation released, no money moved)"),
    ("expired", "", "expired (payment never captured)"),
    ("pending", "2026-02-12 09:00:00 -0500", "cancelled before payment (no money moved)"),
    ("pending", "", "awaiting payment (no sale yet)"),
])
def test_an_export_saying_a_booked_order_took_no_money_is_said_and_the_books_kept(tmp_path, status, cancelled, said):
    folder = merchant(tmp_path)
    imported(folder, "channels")
    imported(folder, "a")
    (folder / "v").mkdir()
    unpaid_export(folder / "v" / "orders_export_v.csv", status, cancelled_at=cancelled)
    books = snapshot(folder / "books")
    out = imported(folder, "v")
    assert VOIDED_NOTE.format(status=said) in out, out
    # nothing guessed: the books as they were (but for the coverage record of the export read)
    after = snapshot(folder / "books")
    assert {k for k in after if after[k] != books.get(k)} == {"shop/2026/2026-02.beancount"}
    entries = lambda text: re.sub(r'\n[^\n]*"beanclear-coverage"[^\n]*\n(  [^\n]*\n)*', "", text.decode())  # noqa: E731
    assert entries(after["shop/2026/2026-02.beancount"]) == entries(books["shop/2026/2026-02.beancount"])


@pytest.mark.parametrize("files", [("a", "v"), ("v", "a")])
def test_two_exports_of_one_import_that_disagree_on_whether_an_order_took_money_book_it_and_say_so(tmp_path, files):
    # the one that books the order books it, whichever comes first; the other is said
    folder = merchant(tmp_path / "both")
    imported(folder, "channels")
    (folder / "v").mkdir()
    unpaid_export(folder / "v" / "orders_export_v.csv", "voided")
    out = imported(folder, *files)
    assert ("order #1020: this export says voided (authorisation released, no money moved), but orders_export_a.csv "
            "books it, a sale of 85.95 USD; nothing tells which is newer, so it is booked: if the shop shows the "
            "order paid, this export is the older; if it was cancelled and never paid, `beanclear write-off "
            "order-unpaid '#1020' --reason \"…\"` takes the sale out once `beanclear check` lists it "
            "unpaid") in out, out
    alone = merchant(tmp_path / "alone")
    imported(alone, "channels")
    imported(alone, "a")
    assert order_1020(folder) == order_1020(alone)


def test_an_order_the_books_hold_no_sale_of_is_not_said(tmp_path):
    # must not: an order no export booked (skipped, as ever), and one written off as unpaid
    # (a cumulative export downloaded again says nothing new)
    folder = merchant(tmp_path)
    imported(folder, "channels")
    (folder / "v").mkdir()
    unpaid_export(folder / "v" / "orders_export_v.csv", "voided")
    first = imported(folder, "v")
    assert "skipped 1 voided (authorisation released, no money moved)" in first and "order #1020" not in first
    imported(folder, "a")
    (folder / "books" / "writeoffs.beancount").write_text(
        '2026-02-11 ! "beanclear" "write-off order-unpaid: order #1020 of 85.95 USD" ^order-1020\n'
        '  write-off: "order-unpaid"\n  settles: "#1020"\n  reason: "cancelled"\n'
        '  Income:Sales:Shop                            85.95 USD\n'
        '  Assets:Receivable:Shop                      -85.95 USD\n', encoding="utf-8")
    main = folder / "books" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + 'include "writeoffs.beancount"\n', encoding="utf-8")
    again = beanclear(folder, "import", "--force", str(folder / "v"))
    assert again.exit_code == 0 and "order #1020" not in again.output, again.output


def test_every_shop_format_says_it_pinduoduo_cancelled_after_a_download_that_booked_it(tmp_path):
    # (the rule is the shops', not Shopify's: Pinduoduo's 已取消 of an order booked 已签收)
    folder = pdd_merchant(tmp_path)
    imported(folder, "channels")
    imported(folder, "a")
    (folder / "c").mkdir()
    (folder / "c" / "pdd-2026-03-dl0402.csv").write_text("\n".join([
        PDD_HEADER, "茶C,260303-333333333333333,已取消,80.00,0,0,0,80.00,80.00,2026-03-03 10:00:00,,无售后或售后取消"])
        + "\n", encoding="utf-8")
    out = imported(folder, "c")
    assert ("order 260303-333333333333333: this export says cancelled before payment (no money moved), but the books "
            "hold its sale of 80.00 CNY (Assets:Receivable:Pdd, its entry of 2026-03-03 in "
            "books/pdd/2026/2026-03.beancount), booked from another export; nothing tells which is newer, so the books "
            "keep it: if the shop shows the order paid, this export is the older; if it was cancelled and never paid, "
            "`beanclear write-off order-unpaid 260303-333333333333333 --reason \"…\"` takes the sale out once "
            "`beanclear check` lists it unpaid") in out, out
