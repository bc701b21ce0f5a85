"""A channel paying a shop whose payments name no order: the shop's unpaid orders of their
days are one cause, one `order-unpaid` a currency naming the channel and `order_pattern`,
not one an order (blind round 31, crossborder3: PingPong's 收款 named no order the import
read, and the Shopify store Airwallex paid too had 54 order-unpaid, nothing saying why)."""

from __future__ import annotations

import json

from conftest import beanclear

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  airwallex: {type: airwallex, settlement_days: 30}
  pingpong:
    type: pingpong
    currency: CNY
    settlement_days: 30
    columns: {date: 交易时间, id: 交易流水号, type: 交易类型, amount: 交易金额, currency: 币种, fee: 手续费, status: 交易状态, memo: 备注}
shops:
  shop: {type: shopify, order_days: 3}
checks:
  fx-gap: {severity: off}
"""
ORDERS = ("Name,Email,Financial Status,Currency,Total,Refunded Amount,Created at,Lineitem name\n"
          + "".join(f"#100{n},a@example.com,paid,{cur},100.00,0.00,2026-10-0{n} 09:00:00 -0500,Scarf\n"
                    for n, cur in ((1, "USD"), (2, "USD"), (3, "USD"), (4, "USD"), (5, "USD"), (6, "EUR"))))


def airwallex(*orders):
    items = [{"id": f"aw_{n}", "amount": "100.00", "fee": "3.00", "net": "97.00", "currency": "USD",
              "batch_id": f"bat_{n}", "source_id": f"int_{n}", "source_type": "PAYMENT_INTENT",
              "transaction_type": "PAYMENT", "status": "SETTLED", "created_at": f"2026-10-0{n}T20:00:00+0000",
              "settled_at": f"2026-10-0{n}T20:30:00+0000", "description": f"Order #100{n}"} for n in orders]
    items.append({"id": "aw_late", "amount": "10.00", "fee": "0.30", "net": "9.70", "currency": "USD",
                  "batch_id": "bat_late", "source_id": "int_late", "source_type": "PAYMENT_INTENT",
                  "transaction_type": "PAYMENT", "status": "SETTLED", "created_at": "2026-10-20T02:00:00+0000",
                  "settled_at": "2026-10-20T02:30:00+0000", "description": "Tip"})
    return json.dumps({"has_more": False, "items": items})


def pingpong(memos):
    rows = "".join(f"2026-10-0{n} 22:05:00,PP{n},收款,100.00,{'EUR' if n == 6 else 'USD'},1.00,成功,{memo}\n"
                   for n, memo in memos)
    return "交易时间,交易流水号,交易类型,交易金额,币种,手续费,交易状态,备注\n" + rows + \
        "2026-10-20 10:00:00,PPX,收款,5.00,USD,0.00,成功,Amazon 店铺回款\n"


def merchant(tmp_path, memos, config=CONFIG, name="m"):
    folder = tmp_path / name
    (folder / "st").mkdir(parents=True)
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    (folder / "st" / "orders.csv").write_text(ORDERS, encoding="utf-8")
    (folder / "st" / "aw.json").write_text(airwallex(1, 2), encoding="utf-8")
    (folder / "st" / "pp.csv").write_text(pingpong(memos), encoding="utf-8")
    result = beanclear(folder, "import", str(folder / "st"))
    assert result.exit_code == 0, result.output
    checked = beanclear(folder, "check", "--format", "json")
    return [f for f in json.loads(checked.output)["findings"] if f["code"] in ("order-unpaid", "statement-gap")]


UNNAMED = [(n, "Amazon 店铺回款") for n in (3, 4, 5, 6)]


def test_a_channel_whose_payments_name_no_order_is_one_cause(tmp_path):
    found = merchant(tmp_path, UNNAMED)
    assert [(f["code"], f["amount"], f["currency"], f["refs"]) for f in found] == [
        ("order-unpaid", "300.00", "USD", ["#1003", "#1004", "#1005", "PP3", "PP4", "PP5"]),
        ("order-unpaid", "100.00", "EUR", ["#1006", "PP3", "PP4", "PP5"])]   # (one a currency, as misrouted's)
    message = found[0]["message"]
    assert message.startswith("3 order(s) of shop (300.00 USD) from 2026-10-03 to 2026-10-05 have no payment, "
                              "while 4 payment(s) of pingpong (100.00 EUR, 300.00 USD) from 2026-10-03 to "
                              "2026-10-06 name no order and stay its sales (Income:Sales:PingPong) (theirs: "
                              "\"收款 Amazon 店铺回款\"): its payments name no order: set "
                              "`channels.pingpong.order_pattern`"), message


def test_a_channel_that_names_some_orders_or_has_its_pattern_stays_an_order_each(tmp_path):
    # must-not: its payments name the shop's orders (the default reads `Order #1003`): the
    # rest are unpaid orders, each its own
    memos = [(3, "Shopify Order #1003"), (4, "Amazon 店铺回款"), (5, "Amazon 店铺回款"), (6, "Amazon 店铺回款")]
    found = merchant(tmp_path, memos)
    assert sorted((f["code"], f["refs"][0]) for f in found) == [("order-unpaid", "#1004"), ("order-unpaid", "#1005"),
                                                               ("order-unpaid", "#1006")]
    # with `order_pattern`, payments it finds no order in are the channel's own sales (README)
    pattern = CONFIG.replace("    settlement_days: 30\n    columns", "    settlement_days: 30\n"
                             "    order_pattern: \"SO-(\\\\d+)\"\n    columns")
    found = merchant(tmp_path, UNNAMED, pattern, "pattern")
    assert sorted(f["refs"][0] for f in found if f["code"] == "order-unpaid") == ["#1003", "#1004", "#1005", "#1006"]
    # two payments naming none are not yet a cause
    found = merchant(tmp_path, UNNAMED[:2], name="two")
    assert sorted(f["refs"][0] for f in found if f["code"] == "order-unpaid") == ["#1003", "#1004", "#1005", "#1006"]
