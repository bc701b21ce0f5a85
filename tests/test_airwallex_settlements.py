"""Airwallex's PA settlements report beside its financial transactions (a blind tester's
wallet, round 17): a settlement moves a batch of payment-acceptance items into the
wallet's balance, money the financial transactions book item by item. Booked as a
payout as well, each batch was held twice: clearing at -291.00 USD, transit at +291.00
USD and `check` silent (87 false payout-missing in a quarter). DESIGN §1 "Every view,
once": whichever files are imported, in any order, the books hold each movement once;
a settlement none of whose items is booked is said, not booked twice later."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import checking
from conftest import beanclear, snapshot

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  airwallex:
    type: airwallex
    currency: USD
    settlement_days: 30
    bank: cmb
    bank_days: 3
    payout_memo: "AIRWALLEX"
banks:
  cmb: {type: cmb, account: Assets:Bank:CMB, currency: CNY}
checks:
  fx-gap: {severity: off}
rules:
  - {match: "杂费|账户管理费", account: Expenses:BankFees}
"""

SETTLEMENTS = """\
{"has_more": false, "items": [
  {"id": "stl_20260804", "amount": 300.00, "fee": 9.00, "currency": "USD", "status": "SETTLED", "created_at": "2026-08-04T00:00:00+0000", "settled_at": "2026-08-04T02:00:00+0000", "estimated_settled_at": "2026-08-04T02:00:00+0000"}
]}
"""


def item(ident, amount, fee, net, currency, batch, rate, pair, when, source, kind, text):
    return (f'  {{"id": "{ident}", "amount": {amount}, "fee": {fee}, "net": {net}, "currency": "{currency}", '
            f'"batch_id": {batch}, "client_rate": {rate}, "currency_pair": {pair}, "created_at": "{when}+0000", '
            f'"settled_at": "{when}+0000", "source_id": "{source}", "source_type": "{kind.split("_")[0]}", '
            f'"transaction_type": "{kind}", "status": "SETTLED", "description": "{text}"}}')


ITEMS = [item("ft_pa_1", "100.00", "3.10", "96.90", "USD", '"stl_20260804"', "null", "null", "2026-08-03T02:00:00",
              "int_1", "PAYMENT", "Order #1001"),
         item("ft_pa_2", "200.00", "5.90", "194.10", "USD", '"stl_20260804"', "null", "null", "2026-08-03T05:00:00",
              "int_2", "PAYMENT", "Order #1002"),
         item("ft_cs_1", "-291.00", "0", "-291.00", "USD", "null", "7.1000", '"USDCNY"', "2026-08-05T03:00:00",
              "conv_1", "CONVERSION_SELL", "Conversion USD to CNY"),
         item("ft_cb_1", "2066.10", "0", "2066.10", "CNY", "null", "7.1000", '"USDCNY"', "2026-08-05T03:00:00",
              "conv_1", "CONVERSION_BUY", "Conversion USD to CNY"),
         item("ft_po_1", "-2066.10", "0", "-2066.10", "CNY", "null", "null", "null", "2026-08-06T02:00:00",
              "P260806-001", "PAYOUT", "Payout to CMB ****6688")]
TRANSACTIONS = '{"has_more": false, "items": [\n' + ",\n".join(ITEMS) + "\n]}\n"

PAID_OUT = '2026-08-06,CNY,"2,066.10","11,966.10",汇入汇款,AIRWALLEX (HONG KONG) LIMITED,Airwallex payout P260806-001\n'
CMB = ("记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要\n"
       '2026-08-01,CNY,-100.00,"9,900.00",转账汇款,某某,杂费\n' + PAID_OUT
       + '2026-08-07,CNY,-10.00,"11,956.10",账户管理费,,手续费\n')


def merchant(tmp_path: Path, name: str, settlements: str = SETTLEMENTS, cmb: str = CMB) -> Path:
    folder = tmp_path / name
    (folder / "statements").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for file, text in (("awx_transactions_2026-08.json", TRANSACTIONS), ("awx_settlements_2026-08.json", settlements),
                       ("cmb_202608.csv", cmb)):
        (folder / "statements" / file).write_text(text, encoding="utf-8")
    return folder


def run(folder: Path, *files: str, code: int = 0) -> str:
    result = beanclear(folder, "import", *(str(folder / "statements" / f) for f in files))
    assert result.exit_code == code, result.output
    return result.output


TXNS, STLS, BANK = "awx_transactions_2026-08.json", "awx_settlements_2026-08.json", "cmb_202608.csv"


def sums(folder: Path) -> dict:
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    assert not errors, errors
    out: dict = defaultdict(Decimal)
    for entry in entries:
        for p in getattr(entry, "postings", ()):
            if "Airwallex" in p.account and p.account.startswith("Assets:"):
                out[(p.account, p.units.currency)] += p.units.number
    return {k: v for k, v in out.items() if v}


def findings(folder: Path) -> list:
    return checking.check(config_mod.load(folder / "config.yaml")).findings


def test_both_views_in_one_import_and_in_either_order_book_the_transactions_alone(tmp_path):
    alone = merchant(tmp_path, "alone")
    run(alone, TXNS, BANK)
    together = merchant(tmp_path, "together")
    run(together, TXNS, STLS, BANK)
    first = merchant(tmp_path, "settlements_first")
    run(first, STLS, code=2)   # alone, refused: its money is in no file of the books (next test)
    run(first, TXNS, BANK)
    run(first, STLS)
    last = merchant(tmp_path, "settlements_last")
    run(last, TXNS, BANK)
    said = run(last, STLS)
    assert "0 entries written" in said and "settled into the wallet balance" in said and "note:" not in said
    books = snapshot(alone / "books")
    assert books and all(snapshot(f / "books") == books for f in (together, first, last))
    for folder in (alone, together, first, last):
        assert sums(folder) == {}   # the wallet's clearing and transit both back to zero
        assert findings(folder) == []


def test_a_settlement_whose_items_no_file_books_is_refused_naming_its_line(tmp_path):
    # DESIGN §1: nothing is left out on the assumption that another file will come; booked
    # from the settlement, the money would be booked again when its items came
    folder = merchant(tmp_path, "m")
    said = run(folder, STLS, code=2)
    assert "awx_settlements_2026-08.json:" in said and ("1 settlement(s) of 291.00 USD (stl_20260804 of 291.00 USD "
                                                       "on 2026-08-04) are batches no item of which the books or "
                                                       "this import hold") in said
    assert "import the financial transactions of the days up to 2026-08-04 with this file" in said
    assert not (folder / "books" / "main.beancount").exists() or sums(folder) == {}
    run(folder, TXNS, STLS, BANK)   # together, as it says
    assert "note:" not in run(folder, STLS)   # its items booked now: nothing to say


def test_a_settlement_of_another_net_than_its_items_is_said(tmp_path):
    folder = merchant(tmp_path, "m", settlements=SETTLEMENTS.replace('"fee": 9.00', '"fee": 10.00'))
    run(folder, TXNS, BANK)
    said = run(folder, STLS)
    assert ("1 settlement(s) move another net into airwallex's balance than the items of their batch the books and "
            "this import hold (stl_20260804 of 290.00 USD against 291.00 USD in 2 item(s))") in said
    assert sums(folder) == {}   # the items' money, as before


def test_a_real_payout_stays_one_payout(tmp_path):
    """The wallet's own payout to the bank is the transactions' PAYOUT row, once; without
    its bank credit it is one payout-missing, with the settlements imported or not."""
    folder = merchant(tmp_path, "m")
    run(folder, TXNS, STLS, BANK)
    text = (folder / "books" / "airwallex" / "2026" / "2026-08.beancount").read_text(encoding="utf-8")
    assert text.count("Assets:Transit:Airwallex") == 1 and "payout-id: \"P260806-001\"" in text
    assert "stl_20260804\"\n" not in text.replace('batch-id: "stl_20260804"\n', "")
    missing = merchant(tmp_path, "missing", cmb=CMB.replace(PAID_OUT, "").replace(
        '2026-08-07,CNY,-10.00,"11,956.10"', '2026-08-20,CNY,-10.00,"9,890.00"'))
    run(missing, STLS, TXNS, BANK)
    assert [(f.code, f.amount, f.currency) for f in findings(missing)] == [("payout-missing", Decimal("2066.10"), "CNY")]


def test_a_batch_is_proved_per_currency(tmp_path):
    """A settlement is of one currency (the settlements list is asked per currency): the
    items of its batch id in another currency are another settlement's (blind31
    crossborder3, a USD payment and an EUR refund in one batch), not a difference."""
    eur = item("ft_pa_3", "60.00", "1.80", "58.20", "EUR", '"stl_20260804"', "null", "null", "2026-08-03T06:00:00",
               "int_3", "PAYMENT", "Order #1003")
    folder = merchant(tmp_path, "m")
    (folder / "statements" / TXNS).write_text(TRANSACTIONS.replace("\n]}", ",\n" + eur + "\n]}"), encoding="utf-8")
    run(folder, TXNS, BANK)
    assert "note:" not in run(folder, STLS)   # was: "stl_20260804 of 291.00 USD against 58.20 EUR and 291.00 USD"
    both = merchant(tmp_path, "both", settlements=SETTLEMENTS.replace("\n]}", ",\n" + SETTLEMENTS.splitlines()[1]
                                                                      .replace("300.00", "60.00").replace("9.00", "1.80")
                                                                      .replace('"USD"', '"EUR"') + "\n]}"))
    (both / "statements" / TXNS).write_text(TRANSACTIONS.replace("\n]}", ",\n" + eur + "\n]}"), encoding="utf-8")
    run(both, TXNS, BANK)
    said = run(both, STLS)
    assert "note:" not in said and "0 entries written" in said
    # must-not: a settlement of another net than its currency's items is still said
    other = merchant(tmp_path, "other", settlements=SETTLEMENTS.replace('"fee": 9.00', '"fee": 10.00'))
    (other / "statements" / TXNS).write_text(TRANSACTIONS.replace("\n]}", ",\n" + eur + "\n]}"), encoding="utf-8")
    run(other, TXNS, BANK)
    assert "(stl_20260804 of 290.00 USD against 291.00 USD in 2 item(s))" in run(other, STLS)
