"""The books of two accounts of one channel type paying into one bank (blind14
multiaccount repro-01): each bank credit is booked on the transit account of the channel
whose payout it is, as the check judges it (checks/transit.py `pooled`), whatever the
import order (books/late_credits.py).

The bank's text names the type (支付宝提现), never the account. Booked by the text alone,
every credit went to the first account's transit account: the check paired them right,
but Fava showed one transit account below zero and the other above, and the month report
had the money in transit per channel wrong, until `match --apply` or `link`.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal

from beancount import loader
from beancount.core import data

from conftest import beanclear, snapshot
from statement_files import fund_lines, fund_row

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  alipay_a: {type: alipay, account_id: "20880000000000000156", settlement_days: 6, bank: ops, bank_days: 3,
             fees: [{rate: 0.006}]}
  alipay_b: {type: alipay, account_id: "20880000000000000257", settlement_days: 6, bank: ops, bank_days: 3,
             fees: [{rate: 0.006}]}
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: CNY
    columns: {date: d, amount: a, memo: m, ref: r}
"""
ONE_OF_EACH = CONFIG.replace("alipay_b: {type: alipay, account_id: \"20880000000000000257\"",
                             "wechat: {type: wechat")
BANK = ["2026-03-02,99.40,支付宝提现,L-A", "2026-03-02,49.70,支付宝提现,L-B"]


def alipay(folder, account: str, tag: str, gross: str, fee: str, day: str = "01", name: str = "03") -> None:
    """An Alipay fund ledger of one sale and its fee, withdrawn the same day."""
    net = Decimal(gross) - Decimal(fee)
    rows = [fund_row(f"{tag}3", f"2026{name}{day}0000{tag}", "", f"2026-{name}-{day} 23:00:00", "0.00", f"-{net}",
                     "0.00", "提现", "提现到银行", item="提现", other=""),
            fund_row(f"{tag}2", f"2026{name}{day}22001{tag}", f"Q{tag}", f"2026-{name}-{day} 10:00:01", "0.00",
                     f"-{fee}", f"{net}", "收费", f"服务费[2026{name}{day}22001{tag}]"),
            fund_row(f"{tag}1", f"2026{name}{day}22001{tag}", f"Q{tag}", f"2026-{name}-{day} 10:00:00", gross, "0.00",
                     gross, "在线支付")]
    lines = fund_lines(rows, [f"#支出合计：2笔，共{gross}元", f"#收入合计：1笔，共{gross}元"])
    lines = [line.replace("20880000000000000156", account) for line in lines]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{account}_2026{name}{day}_账务明细.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def merchant(tmp_path, config=CONFIG, bank=BANK):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    alipay(tmp_path / "a", "20880000000000000156", "A", "100.00", "0.60")
    if "alipay_b" in config:
        alipay(tmp_path / "b", "20880000000000000257", "B", "50.00", "0.30")
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "ops.csv").write_text("\n".join(["d,a,m,r", *bank]) + "\n", encoding="utf-8")
    return tmp_path


def imported(folder, *paths) -> str:
    result = beanclear(folder, "import", *(str(folder / p) for p in paths))
    assert result.exit_code == 0, result.output
    return result.output


def transit(folder) -> dict:
    """Each transit account's balance, as the books hold them."""
    entries, errors, _ = loader.load_file(str(folder / "books" / "main.beancount"))
    out: dict = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                if p.account.startswith("Assets:Transit:"):
                    out[p.account] = out.get(p.account, Decimal(0)) + p.units.number
    return out


def codes(folder) -> list:
    import json
    report = json.loads(beanclear(folder, "check", "--format", "json").output)
    return sorted((f["code"], f["source"]) for f in report["findings"])


def bank_text(folder) -> str:
    return (folder / "books" / "ops" / "2026" / "2026-03.beancount").read_text(encoding="utf-8")


ORDERS = {
    "together": [("a", "b", "bank")],
    "bank first": [("bank",), ("a", "b")],
    "bank and the first account, then the second": [("bank", "a"), ("b",)],
    "the second account, the bank, the first": [("b",), ("bank",), ("a",)],
}


def test_each_credit_is_on_its_own_channels_transit_account_whatever_the_import_order(tmp_path):
    books = {}
    for name, imports in ORDERS.items():
        folder = merchant(tmp_path / name.replace(" ", "-"))
        for paths in imports:
            imported(folder, *paths)
        assert transit(folder) == {"Assets:Transit:AlipayA": 0, "Assets:Transit:AlipayB": 0}, name
        assert codes(folder) == [], name
        books[name] = snapshot(folder / "books")
    first = books.pop("together")
    for name, other in books.items():
        assert other == first, name


def test_the_import_says_what_it_booked_and_moved(tmp_path):
    folder = merchant(tmp_path / "later")
    said = imported(folder, "bank")
    assert "bank credit(s)" not in said   # no payout in the books: both as the text says, on the first
    assert bank_text(folder).count("Assets:Transit:AlipayA") == 2
    said = imported(folder, "a", "b")
    assert "1 bank credit(s) in the books moved to the transit account of the channel whose payout they are" in said
    assert "  Assets:Transit:AlipayB" in bank_text(folder)
    assert "bank credit(s)" not in imported(folder, "a", "b", "bank")   # nothing moves twice
    folder = merchant(tmp_path / "at-once")
    said = imported(folder, "a", "b", "bank")
    # on the summary line of the statement of those credits, the bank's (blind19: said on an Alipay bill's)
    [line] = [line for line in said.splitlines() if "several channels' texts fit booked" in line]
    assert line.split(": ")[0].endswith("bank/ops.csv"), line


def test_one_account_of_each_type_at_a_bank_moves_nothing(tmp_path):
    # must not fire: 支付宝提现 fits Alipay's text alone, whatever else pays into the bank
    folder = merchant(tmp_path, ONE_OF_EACH, bank=BANK[:1])
    imported(folder, "bank")
    before = snapshot(folder / "books" / "ops")
    said = imported(folder, "a")
    assert "bank credit(s)" not in said
    assert snapshot(folder / "books" / "ops") == before
    assert transit(folder) == {"Assets:Transit:AlipayA": 0}


def test_a_credit_a_person_booked_elsewhere_stays(tmp_path):
    folder = merchant(tmp_path)
    imported(folder, "bank")
    path = folder / "books" / "ops" / "2026" / "2026-03.beancount"
    text = path.read_text(encoding="utf-8")
    at = text.index("  Assets:Transit:AlipayA", text.index('id: "L-B"'))
    path.write_text(text[:at] + "  Income:Other          " + text[at + len("  Assets:Transit:AlipayA"):],
                    encoding="utf-8")
    said = imported(folder, "a", "b")
    assert "bank credit(s)" not in said
    after = bank_text(folder)
    assert "  Income:Other          " in after and "AlipayB" not in after


def test_a_credit_linked_to_a_payout_stays_as_linked(tmp_path):
    folder = merchant(tmp_path)
    imported(folder, "bank")
    path = folder / "books" / "ops" / "2026" / "2026-03.beancount"
    text = path.read_text(encoding="utf-8")
    head = text.index('"支付宝提现"', text.rindex("\n2026-03-02", 0, text.index('id: "L-B"')))
    path.write_text(text[:head] + '"支付宝提现" ^payout-elsewhere' + text[head + len('"支付宝提现"'):], encoding="utf-8")
    said = imported(folder, "a", "b")
    assert "bank credit(s)" not in said
    assert "AlipayB" not in bank_text(folder)


def test_a_credit_in_a_closed_month_stays_and_is_said(tmp_path):
    # B's withdrawal at 00:30 on 1 April in Shanghai is still 31 March further west: the
    # bank's credit of 31 March, in a month closed since, may be it (transit.arrived_by)
    folder = merchant(tmp_path, bank=["2026-03-31,49.70,支付宝提现,L-B"])
    imported(folder, "bank")
    (folder / "books" / "periods.beancount").write_text('2026-04-01 custom "beanclear-close" "2026-03"\n',
                                                        encoding="utf-8")
    before = snapshot(folder / "books" / "ops")
    alipay(folder / "b-april", "20880000000000000257", "C", "50.00", "0.30", day="01", name="04")
    path = next((folder / "b-april").iterdir())
    text = path.read_bytes().decode("gb18030").replace("2026-04-01 23:00:00", "2026-04-01 00:30:00")
    path.write_bytes(text.encode("gb18030"))
    said = imported(folder, "b-april")
    assert ("1 bank credit(s) of another channel's payout booked in a closed month stay where they are: reopen the "
            "month, then import again with --force to move them") in said
    assert snapshot(folder / "books" / "ops") == before


def test_a_row_two_downloads_of_the_import_hold_is_one_payout_not_two(tmp_path):
    # seed 33488 without the first PayPal account's statement: the second's downloads
    # overlapped, its payouts counted twice waited for two credits each, and the first
    # account's credits went to the second's transit account (13 bank-unmatched there)
    folder = merchant(tmp_path, bank=["2026-03-02,99.40,支付宝提现,L-A", "2026-03-02,49.70,支付宝提现,L-B1",
                                      "2026-03-03,49.70,支付宝提现,L-B2"])
    (folder / "a" / "20880000000000000156_20260301_账务明细.csv").unlink()   # the first's statement not in
    alipay(folder / "b2", "20880000000000000257", "C", "50.00", "0.30", day="02")
    first = (folder / "b" / "20880000000000000257_20260301_账务明细.csv").read_bytes().decode("gb18030")
    second = (folder / "b2" / "20880000000000000257_20260302_账务明细.csv").read_bytes().decode("gb18030")
    rows = [line for line in first.split("\r\n") if line and not line.startswith("#") and "账务流水号" not in line]
    head, *rest = second.split("\r\n")
    at = next(n for n, line in enumerate(rest) if "账务流水号" in line) + 1
    (folder / "b2" / "20880000000000000257_20260302_账务明细.csv").write_bytes(
        "\r\n".join([head, *rest[:at], *rows, *rest[at:]]).encode("gb18030"))   # day 01's rows again
    imported(folder, "b", "b2", "bank")
    assert transit(folder) == {"Assets:Transit:AlipayA": Decimal("-99.40"), "Assets:Transit:AlipayB": Decimal("0.00")}
