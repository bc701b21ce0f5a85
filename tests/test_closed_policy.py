"""A closed month's findings keep the severities of the policy it was closed under
(DESIGN §2 "Closed periods stay closed"): `close` records `review_threshold` and each
code's severity in its directive, and a later change of them judges the open months only
(blind round 16 configchange #2: January closed with a 400.00 bank-unmatched warning under
`review_threshold: 500`; lowered to 300 in March, `check` failed on January's finding,
`close 2026-02` was refused for it, and `book` was refused as January is closed)."""

from __future__ import annotations

import json
from decimal import Decimal

from beancount import loader

from conftest import beanclear

from beanclear.checks.findings import FindingError, Policy

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
banks:
  icbc:
    type: csv
    account: Assets:Bank:ICBC
    currency: CNY
    date_format: "%Y-%m-%d"
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
rules:
  - {match: "房租", account: Expenses:Rent}
checks:
  bank-unmatched: {severity: warning}
  review_threshold: 500
"""
HEAD = "交易日期,交易流水号,摘要,对方户名,交易金额,余额"
JANUARY = [HEAD, "2026-01-01,B001,房租 2026-01,杭州西溪置业,-1000.00,9000.00",
           "2026-01-27,B003,POS消费 五金店,杭州某五金店,-400.00,8600.00",
           "2026-01-31,B005,房租杂费,杭州西溪置业,-10.00,8590.00"]
FEBRUARY = [HEAD, "2026-02-01,B006,房租 2026-02,杭州西溪置业,-1000.00,7590.00",
            "2026-02-16,B007,POS消费 灯具店,杭州某灯具店,-350.00,7240.00",
            "2026-02-28,B008,房租杂费,杭州西溪置业,-10.00,7230.00"]


def merchant(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-03-05")
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for name, rows in (("s1", JANUARY), ("s2", FEBRUARY)):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"icbc-{name}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path


def january_closed(tmp_path, monkeypatch):
    """January imported and closed under review_threshold 500 (its 400.00 a warning)."""
    root = merchant(tmp_path, monkeypatch)
    assert beanclear(root, "import", str(root / "s1")).exit_code == 0
    checked = beanclear(root, "check")
    assert checked.exit_code == 0 and "0 errors, 1 warning" in checked.output, checked.output
    closed = beanclear(root, "close", "2026-01")
    assert closed.exit_code == 0, closed.output
    return root


def edit_config(root, old: str, new: str) -> None:
    path = root / "config.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def findings(root) -> dict[str, dict]:
    """`check --format json`'s findings by their first ref."""
    result = beanclear(root, "check", "--format", "json")
    return {f["refs"][0]: f for f in json.loads(result.output)["findings"]}


def bean_check_errors(root) -> list[str]:
    """The findings the plugins give bean-check and Fava as errors."""
    _, errors, _ = loader.load_file(str(root / "books" / "main.beancount"))
    return [e.finding.refs[0] for e in errors if isinstance(e, FindingError)]


def test_close_records_the_policy_it_judged_by(tmp_path, monkeypatch):
    root = january_closed(tmp_path, monkeypatch)
    text = (root / "books" / "periods.beancount").read_text(encoding="utf-8")
    assert ('2026-01-31 custom "beanclear-close" "2026-01"\n'
            '  closed-by: "alice"\n'
            '  review-threshold: "500"\n'
            '  errors: "order-unpaid amount-mismatch duplicate-charge refund-unsynced unsettled payout-mismatch '
            'payout-missing fee-gap"\n'
            '  warnings: "payment-without-order bank-unmatched fx-gap refund-rate refund-surge statement-gap '
            'stale-ack"\n') in text, text


def test_a_lowered_threshold_leaves_a_closed_months_warning_a_warning(tmp_path, monkeypatch):
    """January's 400.00 stays the warning it was closed as: `check`, bean-check (Fava's
    errors), the JSON and January's report agree; February, open, is judged by the new
    threshold (its 350.00 an error) and is refused for it alone."""
    root = january_closed(tmp_path, monkeypatch)
    report_before = json.loads(beanclear(root, "report", "2026-01", "--format", "json").output)
    edit_config(root, "review_threshold: 500", "review_threshold: 300")
    checked = beanclear(root, "check")
    assert checked.exit_code == 0 and "0 errors, 1 warning" in checked.output, checked.output
    assert findings(root)["B003"]["severity"] == "warning"
    assert bean_check_errors(root) == []
    report_after = json.loads(beanclear(root, "report", "2026-01", "--format", "json").output)
    assert report_after["findings"] == report_before["findings"]
    assert [f["severity"] for f in report_after["findings"]] == ["warning"]

    assert beanclear(root, "import", str(root / "s2")).exit_code == 0
    listed = findings(root)
    assert (listed["B003"]["severity"], listed["B007"]["severity"]) == ("warning", "error")
    assert bean_check_errors(root) == ["B007"]
    refused = beanclear(root, "close", "2026-02")
    assert refused.exit_code == 1, refused.output
    assert refused.output.splitlines()[0].startswith("error bank-unmatched 2026-02-16 icbc: bank debit of 350.00 CNY")
    assert "B003" not in refused.output and "1 unresolved error(s)" in refused.output
    assert beanclear(root, "ack", "bank-unmatched", "B007", "--reason", "lamps, receipt filed").exit_code == 0
    closed = beanclear(root, "close", "2026-02")
    assert closed.exit_code == 0, closed.output
    assert 'review-threshold: "300"' in (root / "books" / "periods.beancount").read_text(encoding="utf-8")


def test_a_changed_severity_leaves_a_closed_month_as_it_was(tmp_path, monkeypatch):
    root = january_closed(tmp_path, monkeypatch)
    edit_config(root, "bank-unmatched: {severity: warning}", "bank-unmatched: {severity: error}")
    checked = beanclear(root, "check")
    assert checked.exit_code == 0 and "0 errors, 1 warning" in checked.output, checked.output
    assert beanclear(root, "import", str(root / "s2")).exit_code == 0
    listed = findings(root)
    assert (listed["B003"]["severity"], listed["B007"]["severity"]) == ("warning", "error")


def test_a_reopened_month_is_judged_by_the_config_and_closed_again_under_it(tmp_path, monkeypatch):
    root = january_closed(tmp_path, monkeypatch)
    edit_config(root, "review_threshold: 500", "review_threshold: 300")
    assert beanclear(root, "reopen", "2026-01", "--reason", "a late refund").exit_code == 0
    checked = beanclear(root, "check")
    assert checked.exit_code == 1 and "1 error, 0 warnings" in checked.output, checked.output
    assert beanclear(root, "close", "2026-01").exit_code == 1
    assert beanclear(root, "ack", "bank-unmatched", "B003", "--reason", "hardware, receipt filed").exit_code == 0
    assert beanclear(root, "close", "2026-01").exit_code == 0
    text = (root / "books" / "periods.beancount").read_text(encoding="utf-8")
    assert text.count('review-threshold: "500"') == 1 and text.rindex('review-threshold: "300"') > \
        text.index("beanclear-reopen"), text


def test_a_month_closed_before_closes_recorded_their_policy_is_judged_by_the_config(tmp_path, monkeypatch):
    """Books closed by an earlier beanclear (a close directive with `closed-by` alone)
    keep the behaviour they had: the config judges every month."""
    root = january_closed(tmp_path, monkeypatch)
    periods = root / "books" / "periods.beancount"
    periods.write_text("".join(line for line in periods.read_text(encoding="utf-8").splitlines(keepends=True)
                               if not line.startswith(("  review-threshold", "  errors", "  warnings", "  off"))),
                       encoding="utf-8")
    edit_config(root, "review_threshold: 500", "review_threshold: 300")
    checked = beanclear(root, "check")
    assert checked.exit_code == 1 and "1 error, 0 warnings" in checked.output, checked.output


def test_the_policy_read_back_from_a_close_directive():
    config_like = type("C", (), {"review_threshold": None,
                                 "checks": {c: type("K", (), {"severity": "off" if c == "fx-gap" else "error"})()
                                            for c in ("fx-gap", "fee-gap", "bank-unmatched", "order-unpaid",
                                                      "payment-without-order", "amount-mismatch", "duplicate-charge",
                                                      "refund-unsynced", "unsettled", "payout-mismatch",
                                                      "payout-missing", "refund-rate", "refund-surge",
                                                      "statement-gap", "stale-ack")}})()
    policy = Policy.of(config_like)
    meta = dict(policy.meta())
    assert meta["review-threshold"] == "none" and meta["off"] == "fx-gap" and meta["warnings"] == ""
    back = Policy.from_meta(meta)
    assert back.threshold is None and back.severities == policy.severities
    assert Policy.from_meta({"review-threshold": Decimal("250"), "warnings": "bank-unmatched nonsense"}) == \
        Policy(Decimal("250"), {"bank-unmatched": "warning"})
    assert Policy.from_meta({"review-threshold": "five hundred"}) is None
    assert Policy.from_meta({"closed-by": "alice"}) is None
