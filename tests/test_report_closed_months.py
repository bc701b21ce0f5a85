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


# -- every deadline the same: money unsettled, an order unpaid, a refund unsynced ---------------
# (the fix helper of blind30 audittrail #1: a Stripe charge of 06-27 at T+10, in clearing when
# June closed and never paid out, was July's import's `unsettled` dated 06-27: closed June's
# re-run report gained "1 open unsettled" and `close 2026-06` blamed "a merge, an edit". A
# deadline's finding is dated its first side's day, or the day its deadline passed where that
# is in a later month: findings.by_deadline)

CLEARING_CONFIG = CONFIG.replace("    bank_days: 3\n", "    bank_days: 3\n    quiet_days: 31\n")


def clearing_merchant(root: Path, december_paid_out: bool = True) -> Path:
    """Charges of 100.00 (net 96.80) on 12-01, 12-15 and 12-30, at T+9; payouts of 12-05
    and 12-20 take the first two (credited 12-08 and 12-23; without the second where
    not `december_paid_out`: 12-15's money is then overdue on 12-25, at December's end).
    January: charges of 50.00 (net 48.25) on 01-02 and 01-31, and no payout: 12-30's
    money passes its T+9 on 01-09, 01-02's on 01-12."""
    (root / "config.yaml").write_text(CLEARING_CONFIG, encoding="utf-8")
    dec, jan = root / "dec", root / "jan"
    dec.mkdir()
    jan.mkdir()
    charge = lambda d, gross, fee, net: _row(f"txn_c{d.replace('-', '')}XXXX", f"{d} 10:00:00", gross, fee, net,
                                             "charge", f"Order {d}", f"ch_c{d.replace('-', '')}XXX")
    payouts = [_payout("p1", "2025-12-05", "96.80")] + ([_payout("p2", "2025-12-20", "96.80")] if december_paid_out
                                                        else [])
    (dec / "stripe-2025-12.csv").write_text("\n".join(
        [HEADER] + [charge(f"2025-12-{d}", "100.00", "3.20", "96.80") for d in ("01", "15", "30")] + payouts) + "\n",
        encoding="utf-8")
    (jan / "stripe-2026-01.csv").write_text("\n".join(
        [HEADER] + [charge(f"2026-01-{d}", "50.00", "1.75", "48.25") for d in ("02", "31")]) + "\n", encoding="utf-8")
    second = "2025-12-23,STRIPE TRANSFER po_p2XXXXXXXXXX,96.80,B2,1096.60\n" if december_paid_out else ""
    closing = 1095.60 if december_paid_out else 998.80
    (dec / "bank-2025-12.csv").write_text(
        "Date,Description,Amount,Reference,Balance\n2025-12-08,STRIPE TRANSFER po_p1XXXXXXXXXX,96.80,B1,999.80\n"
        f"{second}2025-12-31,SERVICE FEE,-1.00,B3,{closing:.2f}\n", encoding="utf-8")
    (jan / "bank-2026-01.csv").write_text(
        f"Date,Description,Amount,Reference,Balance\n2026-01-31,SERVICE FEE,-1.00,B4,{closing - 1:.2f}\n",
        encoding="utf-8")
    return root


def _checked(root: Path) -> list[tuple]:
    found = json.loads(beanclear(root, "check", "--format", "json").output)["findings"]
    return sorted((f["code"], f["date"], f["amount"], f["acknowledged"]) for f in found)


def test_money_unsettled_after_its_month_closed_is_the_later_months_finding(tmp_path, monkeypatch):
    root = clearing_merchant(tmp_path)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-01")
    _ok(root, "import", str(root / "dec"))
    _ok(root, "close", "2025-12")
    december = _ok(root, "report", "2025-12")
    december_json = _ok(root, "report", "2025-12", "--format", "json")
    assert "Findings: 0 open, 0 following up, 0 acknowledged, 0 resolved" in december, december

    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-03")
    _ok(root, "import", str(root / "jan"))
    # 12-30's money is overdue from 01-09 (its T+9 past): January's; 01-02's passed its
    # T+9 in January too, and keeps its own day (must not fire within one month)
    assert _checked(root) == [("unsettled", "2026-01-02", "48.25", False), ("unsettled", "2026-01-09", "96.80", False)]
    assert [(f[1], f[2]) for f in _findings(root, "2026-01")] == [("unsettled", "2026-01-02"),
                                                                  ("unsettled", "2026-01-09")]
    # December's record stands, and its close still holds: nothing of December changed
    assert _ok(root, "report", "2025-12") == december
    assert _ok(root, "report", "2025-12", "--format", "json") == december_json
    assert _ok(root, "close", "2025-12").startswith("2025-12 is already closed; nothing was written")
    refused = beanclear(root, "close", "2026-01")
    assert refused.exit_code == 1 and "unsettled 2026-01-09" in " ".join(refused.output.split()), refused.output


def test_money_overdue_at_its_months_end_stays_that_months_finding(tmp_path, monkeypatch):
    """Must not fire: 12-15's money, past its T+9 on 12-25 and still in clearing at
    December's end, is December's (dated 12-15), blocks December's close until
    acknowledged, and stays December's once January comes."""
    root = clearing_merchant(tmp_path, december_paid_out=False)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-01")
    _ok(root, "import", str(root / "dec"))
    assert _checked(root) == [("unsettled", "2025-12-15", "96.80", False)]
    refused = beanclear(root, "close", "2025-12")
    assert refused.exit_code == 1 and "unsettled 2025-12-15" in " ".join(refused.output.split()), refused.output
    _ok(root, "ack", "unsettled", "txn_c20251215XXXX", "--reason", "Stripe holds it for review")
    _ok(root, "close", "2025-12")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-03")
    _ok(root, "import", str(root / "jan"))
    assert _checked(root) == [("unsettled", "2025-12-15", "96.80", True), ("unsettled", "2026-01-02", "48.25", False),
                              ("unsettled", "2026-01-09", "96.80", False)]
    assert _findings(root, "2025-12") == [("acknowledged", "unsettled", "2025-12-15", "96.80")]
    assert [(f[1], f[2]) for f in _findings(root, "2026-01")] == [("unsettled", "2026-01-02"),
                                                                  ("unsettled", "2026-01-09")]


ORDERS_CONFIG = """\
books: books
currency: USD
timezone: UTC
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 90, shop: shop, quiet_days: 31}
shops:
  shop: {type: shopify, order_days: 3, quiet_days: 31}
"""
SHOP_HEADER = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Refunded Amount,Outstanding Balance,"
               "Payment Method,Cancelled at,Created at,Lineitem quantity,Lineitem name,Lineitem price")
API_HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
              '"reporting_category","source_id","description","customer_facing_amount","customer_facing_currency",'
              '"automatic_payout_id","automatic_payout_effective_at_utc"')


def orders_merchant(root: Path, unpaid_in_june: bool = False) -> Path:
    """A shop paid through Stripe, order_days 3. June: orders #1 (06-10, paid), #3 (06-29,
    never paid: overdue on 07-03) and #4 (06-29, paid, refunded in the shop's export, never
    at Stripe: unsynced from 07-03); with `unpaid_in_june`, #2 (06-20, never paid: overdue
    on 06-24, at June's end). July: #5 (07-01, never paid: overdue on 07-05, within July),
    #6 to #8 (paid)."""
    (root / "config.yaml").write_text(ORDERS_CONFIG, encoding="utf-8")

    def order(n: str, day: str, refunded: str = "0.00") -> str:
        status = "refunded" if refunded != "0.00" else "paid"
        return (f"#{n},a@x.com,{status},{day} 10:00:00 +0000,USD,20.00,20.00,{refunded},0.00,stripe,,"
                f"{day} 10:00:00 +0000,1,Mug,20.00")

    def charge(n: str, day: str) -> str:
        return (f'"txn_O{n}{day.replace("-", "")}000000000","{day} 10:01:00","{day} 10:01:00","usd","20.00","0.88",'
                f'"19.12","charge","ch_{n}{day.replace("-", "")}","Order #{n}","20.00","usd","",""')
    june = [order("1", "2026-06-10")] + ([order("2", "2026-06-20")] if unpaid_in_june else []) + [
        order("3", "2026-06-29"), order("4", "2026-06-29", refunded="20.00")]
    july = [order("5", "2026-07-01")] + [order(n, f"2026-07-{d}") for n, d in (("6", "10"), ("7", "20"), ("8", "31"))]
    for month, orders, charges in (
            ("06", june, [charge("1", "2026-06-10"), charge("4", "2026-06-29")]),
            ("07", july, [charge(n, f"2026-07-{d}") for n, d in (("6", "10"), ("7", "20"), ("8", "31"))])):
        (root / month).mkdir()
        (root / month / f"orders-2026-{month}.csv").write_text("\n".join([SHOP_HEADER, *orders]) + "\n",
                                                                encoding="utf-8")
        (root / month / f"balance_change_from_activity-2026-{month}.csv").write_text(
            "\n".join([API_HEADER, *charges]) + "\n", encoding="utf-8")
    return root


def test_an_order_unpaid_or_unsynced_after_its_month_closed_is_the_later_months_finding(tmp_path, monkeypatch):
    """#3 and #4, within their order_days at June's end, are July's: dated 07-03, the day
    their deadline passed. Must not fire: #5, overdue within July, keeps its day, 07-01."""
    root = orders_merchant(tmp_path)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-02")
    _ok(root, "import", str(root / "06"))
    assert _checked(root) == []
    _ok(root, "close", "2026-06")
    june = _ok(root, "report", "2026-06")
    june_json = _ok(root, "report", "2026-06", "--format", "json")
    assert "Findings: 0 open, 0 following up, 0 acknowledged, 0 resolved" in june, june

    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-08-03")
    _ok(root, "import", str(root / "07"))
    assert _checked(root) == [("order-unpaid", "2026-07-01", "20.00", False),
                              ("order-unpaid", "2026-07-03", "20.00", False),
                              ("refund-unsynced", "2026-07-03", "20.00", False)]
    assert _ok(root, "report", "2026-06") == june
    assert _ok(root, "report", "2026-06", "--format", "json") == june_json
    assert _ok(root, "close", "2026-06").startswith("2026-06 is already closed; nothing was written")
    assert [(f[1], f[2]) for f in _findings(root, "2026-07")] == [
        ("order-unpaid", "2026-07-01"), ("order-unpaid", "2026-07-03"), ("refund-unsynced", "2026-07-03")]
    refused = beanclear(root, "close", "2026-07")
    assert refused.exit_code == 1 and "order-unpaid 2026-07-03" in " ".join(refused.output.split()), refused.output


def test_an_order_unpaid_at_its_months_end_stays_that_months_finding(tmp_path, monkeypatch):
    """Must not fire: #2, past its order_days on 06-24, unpaid at June's end, is June's
    (dated 06-20), blocks June's close until acknowledged, and stays June's once July comes."""
    root = orders_merchant(tmp_path, unpaid_in_june=True)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-07-02")
    _ok(root, "import", str(root / "06"))
    assert _checked(root) == [("order-unpaid", "2026-06-20", "20.00", False)]
    refused = beanclear(root, "close", "2026-06")
    assert refused.exit_code == 1 and "order-unpaid 2026-06-20" in " ".join(refused.output.split()), refused.output
    _ok(root, "ack", "order-unpaid", "#2", "--reason", "paid in cash at the market")
    _ok(root, "close", "2026-06")
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-08-03")
    _ok(root, "import", str(root / "07"))
    assert ("order-unpaid", "2026-06-20", "20.00", True) in _checked(root)
    assert _findings(root, "2026-06") == [("acknowledged", "order-unpaid", "2026-06-20", "20.00")]
    assert _ok(root, "close", "2026-06").startswith("2026-06 is already closed; nothing was written")


# -- what still dates a finding in a closed month: the statements' last line before a deadline
# (a deadline counts to the books' last statement line: a month whose last days were quiet is
# closed judged to that line; a deadline that passed after it, within the month, is found
# once a later statement comes, dated in the month). `close` again names that cause, not
# "a merge, an edit" that never happened; an edit still reads as one.

def quiet_december(root: Path) -> Path:
    """December: a charge of 12-01 paid out 12-05 (credited 12-08) and one of 12-18 at T+9
    never paid out (its T+9 passes 12-28); the books' last line is the bank's of 12-26,
    and both sources' quiet_days let December close. January: charges of 01-05 and 01-20."""
    (root / "config.yaml").write_text(CLEARING_CONFIG, encoding="utf-8")
    dec, jan = root / "dec", root / "jan"
    dec.mkdir()
    jan.mkdir()
    charge = lambda d, gross, fee, net: _row(f"txn_c{d.replace('-', '')}XXXX", f"{d} 10:00:00", gross, fee, net,
                                             "charge", f"Order {d}", f"ch_c{d.replace('-', '')}XXX")
    (dec / "stripe-2025-12.csv").write_text("\n".join([
        HEADER, charge("2025-12-01", "100.00", "3.20", "96.80"), _payout("p1", "2025-12-05", "96.80"),
        charge("2025-12-18", "100.00", "3.20", "96.80")]) + "\n", encoding="utf-8")
    (jan / "stripe-2026-01.csv").write_text("\n".join(
        [HEADER] + [charge(f"2026-01-{d}", "50.00", "1.75", "48.25") for d in ("05", "20")]) + "\n", encoding="utf-8")
    (dec / "bank-2025-12.csv").write_text(
        "Date,Description,Amount,Reference,Balance\n2025-12-08,STRIPE TRANSFER po_p1XXXXXXXXXX,96.80,B1,999.80\n"
        "2025-12-26,SERVICE FEE,-1.00,B3,998.80\n", encoding="utf-8")
    (jan / "bank-2026-01.csv").write_text(
        "Date,Description,Amount,Reference,Balance\n2026-01-31,SERVICE FEE,-1.00,B4,997.80\n", encoding="utf-8")
    return root


def test_close_names_a_later_statement_not_an_edit_for_a_deadline_found_after_the_close(tmp_path, monkeypatch):
    root = quiet_december(tmp_path)
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-01-02")
    _ok(root, "import", str(root / "dec"))
    _ok(root, "close", "2025-12")   # judged to 12-26: 12-18's money was 8 days in clearing
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-02-03")
    _ok(root, "import", str(root / "jan"))
    result = beanclear(root, "close", "2025-12")
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "error unsettled 2025-12-18 stripe" in said, said
    assert "a merge, an edit" not in said, said
    assert ("no longer reconciles: 1 unresolved error(s) the books as they stood at its end do not hold, the "
            "first at books/stripe/2025/2025-12.beancount:") in said, said
    assert "what came after it shows them in the month" in said, said
    # must not fire: an edit of the month after the close is still one (its own line's finding)
    path = root / "books" / "stripe" / "2025" / "2025-12.beancount"
    path.write_text(path.read_text(encoding="utf-8") + '\n2025-12-10 * "by hand"\n  id: "hand-1"\n'
                    "  Assets:Clearing:Stripe  5.00 USD\n  Income:Sales:Stripe  -5.00 USD\n", encoding="utf-8")
    said = " ".join(beanclear(root, "close", "2025-12").output.split())
    assert "the books changed after the close (a merge, an edit)" in said, said
