"""A shop's refunded total that grows between two downloads of its export is booked by
what it grew (ledger/statements/shop_refunds.py): in a later import or the same one,
whatever order the files come in; again, nothing; a total that says less, nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import beanclear, snapshot
from test_shop_journey import shop_export

CONFIG = "books: books\ncurrency: CNY\nshops:\n  teashop: {type: shopify, currency: CNY, order_days: 3}\n"
EARLY = [("1001", "01", "100.00", "30.00", "partially_refunded"), ("1002", "01", "50.00", "0.00", "paid")]
LATER = [("1001", "01", "100.00", "80.00", "partially_refunded"), ("1002", "01", "50.00", "50.00", "refunded"),
         ("1003", "05", "20.00", "0.00", "paid")]


def downloads(tmp_path, *exports):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for name, orders in exports:
        (tmp_path / name).mkdir()
        shop_export(tmp_path / name, orders)
    return tmp_path


def imported(folder, *names) -> str:
    result = beanclear(folder, "import", *(str(folder / n) for n in names))
    assert result.exit_code == 0, result.output
    return result.output


def refunds(folder) -> dict[str, Decimal]:
    """Refund id -> its amount, from the shop's month file."""
    text = (folder / "books" / "teashop" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    return {m.group(1): Decimal(m.group(2)) for m in
            re.finditer(r'id: "(refund:[^"]+)"\n(?:  [a-z-]+: .*\n)*  Income:Sales:Teashop +(\S+) CNY', text)}


def test_a_refund_grown_in_a_later_download_is_booked_by_what_it_grew(tmp_path):
    folder = downloads(tmp_path, ("early", EARLY), ("later", LATER))
    imported(folder, "early")
    assert refunds(folder) == {"refund:#1001": Decimal("30.00")}
    imported(folder, "later")
    assert refunds(folder) == {"refund:#1001": Decimal("30.00"), "refund:#1001 to 80.00": Decimal("50.00"),
                               "refund:#1002": Decimal("50.00")}
    books = snapshot(folder / "books")
    imported(folder, "later")          # read again (recorded by its digest)
    imported(folder, "early", "later")  # read row by row: nothing new either way
    assert beanclear(folder, "import", "--force", str(folder / "early"), str(folder / "later")).exit_code == 0
    assert snapshot(folder / "books") == books


@pytest.mark.parametrize("names", [("a_early", "b_later"), ("b_later", "a_early")])
def test_two_downloads_in_one_import_book_the_larger_total(tmp_path, names):
    folder = downloads(tmp_path, ("a_early", EARLY), ("b_later", LATER))
    imported(folder, *names)
    total = refunds(folder)
    assert sum(v for k, v in total.items() if k.startswith("refund:#1001")) == Decimal("80.00"), total
    assert total["refund:#1002"] == Decimal("50.00")


def test_a_download_saying_less_than_the_books_changes_nothing(tmp_path):
    folder = downloads(tmp_path, ("early", EARLY), ("later", LATER))
    imported(folder, "later")
    imported(folder, "early")   # recorded as a statement; no refund is taken back
    assert refunds(folder) == {"refund:#1001": Decimal("80.00"), "refund:#1002": Decimal("50.00")}


def test_a_refund_grown_of_an_order_paid_by_gift_card_goes_back_onto_the_cards(tmp_path):
    """An order its gift cards paid is refunded onto them (importers/shop.py); what a
    later download's refund grew by goes there too, not to the receivable the cards
    cleared."""
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    head = "Name,Financial Status,Created at,Total,Refunded Amount,Currency,Payment Method,Lineitem name"
    for name, refunded in (("early", "10.00"), ("later", "25.00")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "orders_export.csv").write_text(
            f"{head}\n#1001,partially_refunded,2026-03-01 10:00:00 +0800,40.00,{refunded},CNY,gift_card,Tea\n",
            encoding="utf-8")
    imported(tmp_path, "early")
    imported(tmp_path, "later")
    text = (tmp_path / "books" / "teashop" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")
    grown = text[text.index('id: "refund:#1001 to 25.00"'):]
    assert grown.split("\n\n")[0].endswith("  Income:Sales:Teashop                         15.00 CNY\n"
                                           "  Liabilities:GiftCards:Teashop               -15.00 CNY")
    assert "Assets:Receivable:Teashop" not in text.split('id: "refund:#1001"')[1].split("\n\n")[0]


@pytest.mark.parametrize("paid", ["gift_card", '"gift_card, Shopify Payments"'])
def test_the_gift_card_account_is_opened_by_the_first_entry_needing_it(tmp_path, paid):
    """A shop's gift-card account is opened with the first entry that posts to it, or
    names an order a gift card paid part of (a person books that part there), as the
    equity account is with the first opening: books of a shop that never sees a gift card
    do not gain it, and importing a statement again writes nothing (blind7: books written
    before the account existed gained its `open` line on every re-import)."""
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    head = "Name,Financial Status,Created at,Total,Refunded Amount,Currency,Payment Method,Lineitem name"
    for name, method in (("plain", "Shopify Payments"), ("card", paid)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "orders_export.csv").write_text(
            f"{head}\n#100{len(name)},paid,2026-03-01 10:00:00 +0800,40.00,0.00,CNY,{method},Tea\n", encoding="utf-8")
    imported(tmp_path, "plain")
    accounts = tmp_path / "books" / "accounts.beancount"
    assert "GiftCards" not in accounts.read_text(encoding="utf-8")
    before = snapshot(tmp_path / "books")
    imported(tmp_path, "plain")
    assert snapshot(tmp_path / "books") == before
    imported(tmp_path, "card")
    opens = [line for line in accounts.read_text(encoding="utf-8").splitlines() if " open " in line]
    assert opens == ["2000-01-01 open Assets:Receivable:Teashop", "2000-01-01 open Assets:Suspense",
                     "2000-01-01 open Income:Sales:Teashop", "2000-01-01 open Liabilities:GiftCards:Teashop"]
    checked = beanclear(tmp_path, "check", "--format", "json")
    assert '"beancount"' not in checked.output, checked.output
    before = snapshot(tmp_path / "books")
    imported(tmp_path, "plain", "card")
    assert snapshot(tmp_path / "books") == before
