"""A statement of a month closed before it came (close, reopen, import): the balance it
asserts of a day the close asserted too is written in its own month file, as it is
imported in date order. The close's line in periods.beancount counted as a person's own
assertion, and the statement's was left out: other bytes by the order of import, and a
month file whose statement's own check was gone (blind24 outoforder)."""

from __future__ import annotations

from conftest import beanclear

CONFIG = """\
books: books
currency: CNY
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, balance: 余额}
rules:
  - {match: 货款, account: Income:Other}
"""
HEADER = "交易日期,摘要,对方户名,交易金额,余额\n"
JAN = HEADER + "2026-01-10,货款,客户甲,200.00,1200.00\n2026-01-31,货款,客户乙,100.00,1300.00\n"
FEB = HEADER + "2026-02-01,货款,客户丙,50.00,1350.00\n2026-02-10,货款,客户丁,50.00,1400.00\n"


def merchant(root):
    root.mkdir()
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "jan.csv").write_text(JAN, encoding="utf-8")
    (root / "feb.csv").write_text(FEB, encoding="utf-8")
    return root


def run(root, *args):
    result = beanclear(root, *args)
    assert result.exit_code == 0, result.output
    return result.output


def month_files(root) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "books" / "ops").rglob("*.beancount"))}


def test_an_older_statement_of_a_closed_month_writes_its_own_balances(tmp_path):
    in_order = merchant(tmp_path / "in-order")
    run(in_order, "import", str(in_order / "jan.csv"), str(in_order / "feb.csv"))
    late = merchant(tmp_path / "late")
    run(late, "import", str(late / "feb.csv"))
    assert "balance assertion(s) at 2026-02-01" in run(late, "close", "2026-01")
    run(late, "reopen", "2026-01", "--reason", "January's statement came late")
    run(late, "import", str(late / "jan.csv"))
    run(late, "close", "2026-01")
    assert month_files(late) == month_files(in_order)
    assert "2026-02-01 balance Assets:Bank:Ops" in month_files(late)["2026-02.beancount"]
    # imported again: the books hold it, nothing new
    assert "0 entries written" in run(late, "import", "--force", str(late / "jan.csv"))
