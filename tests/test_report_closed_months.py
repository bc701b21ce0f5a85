"""A finding of two sides is in the month its later side showed the difference
(checks/findings.py shown_on): a blind tester's Stripe payout of 2025-12-30 reached the
bank on 2026-01-01 0.50 short, after December was closed. Its payout-mismatch was dated
2025-12-30, inside closed December: it blocked January's close, the write-off of
2026-01-01 counted in January's "written off", yet January's report listed no finding,
and only a re-run of closed December showed it, "resolved", a line December's saved
report never had (DESIGN §2: closed periods stay closed; README: the report made at
close is the record). Dated the credit's day, it is January's: open there, then
written off there, and December's report is the same bytes before and after. The day
does not depend on which months are closed: the credit imported before December's
close dates it in January all the same. Both sides in one month, it keeps the
payout's day (must not fire)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import beanclear

from beanclear.checks.findings import shown_on

CONFIG = """\
books: books
currency: USD
timezone: UTC
channels:
  stripe:
    type: stripe
    currency: USD
    settlement_days: 9
    bank: firstbank
    bank_days: 3
banks:
  firstbank:
    type: csv
    account: Assets:Bank:FirstBank
    currency: USD
    quiet_days: 31
    columns: {date: Date, amount: Amount, memo: Description, ref: Reference, balance: Balance}
rules:
  - {match: "SERVICE FEE", account: Expenses:Fees:Bank}
"""
HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
          '"reporting_category","description","source_id","automatic_payout_id"')


def _row(txn: str, when: str, gross: str, fee: str, net: str, kind: str, said: str, source: str, payout: str = ""):
    return f'"{txn}","{when}","{when}","usd","{gross}","{fee}","{net}","{kind}","{said}","{source}","{payout}"'


def _payout(ident: str, day: str, amount: str) -> str:
    return _row(f"txn_{ident}XXXXXXXXXX", f"{day} 06:00:00", f"-{amount}", "0.00", f"-{amount}", "payout",
                "STRIPE PAYOUT", f"po_{ident}XXXXXXXXXX", f"po_{ident}XXXXXXXXXX")


def merchant(root: Path, second_credited: str = "1354.70") -> Path:
    """The tester's merchant: December's 31 charges of 100.00 (fee 3.20), two payouts
    (1,452.00 on 12-16, credited 12-18; 1,355.20 on 12-30, credited on 2026-01-01 as
    `second_credited`), January's two charges and a payout of 01-13 credited 01-15.
    Statements in dec/ and jan/."""
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    dec, jan = root / "dec", root / "jan"
    dec.mkdir()
    jan.mkdir()
    charges = [_row(f"txn_a{d:02d}XXXXXXXXX", f"2025-12-{d:02d} 10:00:00", "100.00", "3.20", "96.80", "charge",
                    f"Order #{d}", f"ch_a{d:02d}XXXXXXXX") for d in range(1, 32)]
    (dec / "stripe-2025-12.csv").write_text("\n".join(
        [HEADER, *charges, _payout("p1", "2025-12-16", "1452.00"), _payout("p2", "2025-12-30", "1355.20")]) + "\n",
        encoding="utf-8")
    (jan / "stripe-2026-01.csv").write_text("\n".join([
        HEADER,
        _row("txn_jan1XXXXXXXX", "2026-01-02 10:00:00", "50.00", "1.75", "48.25", "charge", "Order #40", "ch_jan1XXXXXXX"),
        _payout("p3", "2026-01-13", "241.85"),
        _row("txn_jan2XXXXXXXX", "2026-01-31 10:00:00", "50.00", "1.75", "48.25", "charge", "Order #41", "ch_jan2XXXXXXX"),
    ]) + "\n", encoding="utf-8")
    (dec / "bank-2025-12.csv").write_text(
        "Date,Description,Amount,Reference,Balance\n2025-12-01,SERVICE FEE,-1.00,B1,999.00\n"
        "2025-12-18,STRIPE TRANSFER po_p1XXXXXXXXXX,1452.00,B2,2451.00\n2025-12-31,SERVICE FEE,-1.00,B3,2450.00\n",
        encoding="utf-8")
    balance = 2450 + float(second_credited)
    (jan / "bank-2026-01.csv").write_text(
        "Date,Description,Amount,Reference,Balance\n"
        f"2026-01-01,STRIPE TRANSFER po_p2XXXXXXXXXX,{second_credited},B4,{balance:.2f}\n"
        f"2026-01-15,STRIPE TRANSFER po_p3XXXXXXXXXX,241.85,B6,{balance + 241.85:.2f}\n"
        f"2026-01-31,SERVICE FEE,-1.00,B5,{balance + 240.85:.2f}\n", encoding="utf-8")
    return root


def _findings(root: Path, period: str) -> list[tuple]:
    report = json.loads(_ok(root, "report", period, "--format", "json"))
    return [(f["status"], f["code"], f["date"], f["amount"]) for f in report["findings"]]


def _ok(root: Path, *args) -> str:
    result = beanclear(root, *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_payout_short_at_the_bank_after_its_month_closed_is_the_later_months_finding(tmp_path, monkeypatch):
    root = merchant(tmp_path)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-01")
    _ok(root, "import", str(root / "dec"))
    _ok(root, "close", "2025-12")
    december = _ok(root, "report", "2025-12")
    december_json = _ok(root, "report", "2025-12", "--format", "json")
    assert "Findings: 0 open, 0 following up, 0 acknowledged, 0 resolved" in december

    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-03")
    _ok(root, "import", str(root / "jan"))
    checked = json.loads(beanclear(root, "check", "--format", "json").output)
    assert [(f["code"], f["date"], f["amount"]) for f in checked["findings"]] == [
        ("payout-mismatch", "2026-01-01", "0.50")]
    # January's: it blocks January's close and January's report lists it, open
    refused = beanclear(root, "close", "2026-01")
    assert refused.exit_code == 1 and "payout-mismatch 2026-01-01" in " ".join(refused.output.split()), refused.output
    assert _findings(root, "2026-01") == [("open", "payout-mismatch", "2026-01-01", "0.50")]
    assert _ok(root, "report", "2025-12") == december

    _ok(root, "write-off", "payout-mismatch", "po_p2XXXXXXXXXX")
    assert "\n2026-01-01 * " in (root / "books" / "writeoffs.beancount").read_text(encoding="utf-8")
    _ok(root, "close", "2026-01")
    january = _ok(root, "report", "2026-01")
    assert "Findings: 0 open, 0 following up, 0 acknowledged, 1 resolved" in january, january
    assert _findings(root, "2026-01") == [("resolved", "payout-mismatch", "2026-01-01", "0.50")]
    # the record of closed December is what a re-run shows
    assert _ok(root, "report", "2025-12") == december
    assert _ok(root, "report", "2025-12", "--format", "json") == december_json


def test_the_credit_imported_before_the_close_dates_the_finding_in_its_own_month_all_the_same(tmp_path, monkeypatch):
    """The day is the books', not the closes': January's statement in before December
    is closed, the payout-mismatch is January's; December closes (the payout was on its
    way at its end) and its report is the same after January is written off and closed."""
    root = merchant(tmp_path)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-03")
    _ok(root, "import", str(root / "dec"), str(root / "jan"))
    assert _findings(root, "2025-12") == []
    _ok(root, "close", "2025-12")
    december = _ok(root, "report", "2025-12")
    assert "on its way: 1,355.20 USD" in december and "Findings: 0 open" in december, december
    assert _findings(root, "2026-01") == [("open", "payout-mismatch", "2026-01-01", "0.50")]
    _ok(root, "write-off", "payout-mismatch", "po_p2XXXXXXXXXX")
    _ok(root, "close", "2026-01")
    assert _findings(root, "2026-01") == [("resolved", "payout-mismatch", "2026-01-01", "0.50")]
    assert _ok(root, "report", "2025-12") == december


def test_a_payout_short_within_one_open_month_keeps_its_day_and_month(tmp_path, monkeypatch):
    """Must not fire: payout of 12-16 credited 12-18 0.50 short, both in December:
    dated 12-16, December's, blocking December's close until written off."""
    root = merchant(tmp_path)
    bank = root / "dec" / "bank-2025-12.csv"
    bank.write_text(bank.read_text(encoding="utf-8").replace("1452.00,B2,2451.00", "1451.50,B2,2450.50")
                    .replace("-1.00,B3,2450.00", "-1.00,B3,2449.50"), encoding="utf-8")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-01")
    _ok(root, "import", str(root / "dec"))
    assert _findings(root, "2025-12") == [("open", "payout-mismatch", "2025-12-16", "0.50")]
    refused = beanclear(root, "close", "2025-12")
    assert refused.exit_code == 1 and "payout-mismatch 2025-12-16" in " ".join(refused.output.split())
    _ok(root, "write-off", "payout-mismatch", "po_p1XXXXXXXXXX")
    assert "\n2025-12-18 * " in (root / "books" / "writeoffs.beancount").read_text(encoding="utf-8")
    _ok(root, "close", "2025-12")
    assert _findings(root, "2025-12") == [("resolved", "payout-mismatch", "2025-12-16", "0.50")]


def test_shown_on():
    day = dt.date
    assert shown_on(day(2025, 12, 30), [day(2025, 12, 30), day(2026, 1, 1)]) == day(2026, 1, 1)
    assert shown_on(day(2025, 12, 16), [day(2025, 12, 16), day(2025, 12, 18)]) == day(2025, 12, 16)
    assert shown_on(day(2025, 12, 16), []) == day(2025, 12, 16)
    # a side before the finding's day (a credit a bank further west booked the day before) moves nothing
    assert shown_on(day(2026, 1, 1), [day(2025, 12, 31), day(2026, 1, 1)]) == day(2026, 1, 1)


SHOP_CONFIG = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, settlement_days: 400, bank: icbc, bank_days: 2, shop: shop}
shops:
  shop: {type: shopify, order_days: 3}
banks:
  icbc: {type: csv, account: Assets:Bank:ICBC, currency: CNY, columns: {date: d, amount: a, ref: r}}
checks:
  refund-rate: {severity: off}
  refund-surge: {severity: off}
"""


def _order(name: str, day: str) -> str:
    return (f'{day} * "Order #{name}" ^order-{name}\n  id: "order:#{name}"\n  order-id: "#{name}"\n'
            f'  Assets:Receivable:Shop  100.00 CNY\n  Income:Sales:Shop  -100.00 CNY\n')


def _payment(name: str, day: str) -> str:
    return (f'{day} * "Order {name}" ^order-{name}\n  id: "4200-{name}"\n  order-id: "{name}"\n'
            f'  Assets:Clearing:WeChat  99.50 CNY\n  Assets:Receivable:Shop  -99.50 CNY\n')


def test_an_amount_mismatch_is_dated_in_the_month_its_order_came(tmp_path, monkeypatch):
    """The same rule for an order and its payments: paid 0.50 short on 02-27, the order
    exported dated 03-02, the difference showed in March (the first payment's day
    otherwise: order #8 of 02-26 paid short on 02-27, dated 02-27)."""
    from beancount import loader

    from beanclear import config as config_mod
    from beanclear.checks import reconcile
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-20")
    (tmp_path / "config.yaml").write_text(SHOP_CONFIG, encoding="utf-8")
    config = config_mod.load(tmp_path / "config.yaml")
    accounts = ("Assets:Clearing:WeChat", "Assets:Transit:WeChat", "Assets:Receivable:Shop", "Income:Sales:Shop",
                "Assets:Bank:ICBC")
    main = tmp_path / "books" / "main.beancount"
    main.parent.mkdir()
    main.write_text("".join(f"2026-01-01 open {a}\n" for a in accounts) + _order("8", "2026-02-26")
                    + _payment("8", "2026-02-27") + _payment("9", "2026-02-27") + _order("9", "2026-03-02"),
                    encoding="utf-8")
    entries, errors, _ = loader.load_file(str(main))
    assert not errors, errors
    found = [(f.code, f.refs[0], str(f.date)) for f in reconcile.find(entries, config, ("orders",))
             if f.code == "amount-mismatch"]
    assert sorted(found) == [("amount-mismatch", "#8", "2026-02-27"), ("amount-mismatch", "#9", "2026-03-02")]


# -- a payout missing: the bank showed the difference the day its bank_days passed ----------------
# (blind30 audittrail: a Stripe payout of 06-30, on its way when June closed, credited 07-16,
# past bank_days + 7: its payout-missing was dated 06-30, in closed June; June's re-run report
# turned "on its way" into "reached the bank late" and listed the finding, and `close 2026-06`
# again blamed "a merge, an edit" that never happened)

def _late_credit(root: Path, day: str = "2026-01-14") -> None:
    """p2 (1,355.20 of 12-30, bank_days 3) credited on `day` under the bank's own text, not
    naming it: past bank_days + 7, the clearing check only takes it for the payout (transit._late_arrivals)."""
    bank = root / "jan" / "bank-2026-01.csv"
    bank.write_text(bank.read_text(encoding="utf-8").replace("2026-01-01,STRIPE TRANSFER po_p2XXXXXXXXXX,",
                                                             f"{day},STRIPE TRANSFER,"), encoding="utf-8")


def _never_credited(root: Path) -> None:
    """p2 never reaches the bank: January's statement without its line."""
    (root / "jan" / "bank-2026-01.csv").write_text(
        "Date,Description,Amount,Reference,Balance\n"
        "2026-01-15,STRIPE TRANSFER po_p3XXXXXXXXXX,241.85,B6,2691.85\n"
        "2026-01-31,SERVICE FEE,-1.00,B5,2690.85\n", encoding="utf-8")


def _closed_december(root: Path, monkeypatch) -> tuple[str, str]:
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-01")
    _ok(root, "import", str(root / "dec"))
    _ok(root, "close", "2025-12")
    december = _ok(root, "report", "2025-12")
    assert "on its way: 1,355.20 USD" in december and "Findings: 0 open" in december, december
    return december, _ok(root, "report", "2025-12", "--format", "json")


def test_a_payout_credited_late_after_its_month_closed_is_the_later_months_finding(tmp_path, monkeypatch):
    root = merchant(tmp_path, second_credited="1355.20")
    _late_credit(root)
    december, december_json = _closed_december(root, monkeypatch)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-03")
    _ok(root, "import", str(root / "jan"))
    checked = json.loads(beanclear(root, "check", "--format", "json").output)["findings"]
    # dated the day the bank showed it missing, its bank_days past (12-30 + 3): January's
    assert [(f["code"], f["date"], f["refs"][-1]) for f in checked] == [("payout-missing", "2026-01-03", "B4")]
    assert "reached the bank late" in checked[0]["message"]
    assert _findings(root, "2026-01") == [("open", "payout-missing", "2026-01-03", "1355.20")]
    # December's record stands, and its close still holds: nothing of December changed
    assert _ok(root, "report", "2025-12") == december
    assert _ok(root, "report", "2025-12", "--format", "json") == december_json
    assert _ok(root, "close", "2025-12").startswith("2025-12 is already closed; nothing was written")
    refused = beanclear(root, "close", "2026-01")
    assert refused.exit_code == 1 and "payout-missing 2026-01-03" in " ".join(refused.output.split())
    # linked, it is January's resolved finding; December is as it was
    _ok(root, "link", "B4", "payout-po_p2XXXXXXXXXX")
    assert _findings(root, "2026-01") == [("resolved", "payout-missing", "2026-01-03", "1355.20")]
    assert _ok(root, "report", "2025-12") == december
    _ok(root, "close", "2026-01")


def test_a_payout_that_never_came_after_its_month_closed_is_the_later_months_finding(tmp_path, monkeypatch):
    """Must not fire the other way: the closed month keeps "on its way", and the payout
    missing is the later month's, open there (not a finding no month lists)."""
    root = merchant(tmp_path)
    _never_credited(root)
    december, _ = _closed_december(root, monkeypatch)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-03")
    _ok(root, "import", str(root / "jan"))
    checked = json.loads(beanclear(root, "check", "--format", "json").output)["findings"]
    assert [(f["code"], f["date"], f["refs"]) for f in checked] == [
        ("payout-missing", "2026-01-03", ["po_p2XXXXXXXXXX"])]
    assert "has not reached the bank" in checked[0]["message"]
    assert _findings(root, "2026-01") == [("open", "payout-missing", "2026-01-03", "1355.20")]
    assert _ok(root, "report", "2025-12") == december
    assert _ok(root, "close", "2025-12").startswith("2025-12 is already closed")
    # the page ages the payout from the day it left, as the finding's message counts (32 days
    # to the bank's 01-31), not from the day January's finding is dated
    from beanclear import config as config_mod
    from beanclear.checks import checking
    from beanclear.fava_page import overview
    config = config_mod.load(root / "config.yaml")
    entries, _, _ = checking.load_books(config)
    transit = next(o for o in overview.open_items(entries, config, [], dt.date(2026, 1, 31))["stripe"]
                   if o.stage == "transit")
    assert (transit.date, transit.age, transit.count) == (dt.date(2025, 12, 30), 32, 1)
    assert "32 days later" in checked[0]["message"]


def test_a_payout_late_within_its_open_month_keeps_its_day_and_month(tmp_path, monkeypatch):
    """Must not fire: p1 of 12-16, its bank_days past on 12-20, credited late on 12-27 (and
    never, in the other books): December's payout-missing, dated 12-16, listed in
    December's report as reached late (or missing), and blocking December's close."""
    for credited in (True, False):
        (tmp_path / str(credited)).mkdir()
        root = merchant(tmp_path / str(credited))
        bank = root / "dec" / "bank-2025-12.csv"
        line = "2025-12-27,STRIPE TRANSFER,1452.00,B2,2451.00\n" if credited else ""
        bank.write_text(bank.read_text(encoding="utf-8").replace(
            "2025-12-18,STRIPE TRANSFER po_p1XXXXXXXXXX,1452.00,B2,2451.00\n", line).replace(
            "B3,2450.00", "B3,2450.00" if credited else "B3,998.00"), encoding="utf-8")
        monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-01")
        _ok(root, "import", str(root / "dec"))
        assert _findings(root, "2025-12") == [("open", "payout-missing", "2025-12-16", "1452.00")]
        kinds = [i["kind"] for i in json.loads(_ok(root, "report", "2025-12", "--format", "json"))["banks"][0]["in_transit"]]
        assert kinds == ["arrived-late" if credited else "payout-missing", "in-transit"], kinds
        refused = beanclear(root, "close", "2025-12")
        assert refused.exit_code == 1 and "payout-missing 2025-12-16" in " ".join(refused.output.split())
