"""Two banks whose CSVs number their lines alike (Chinese banks' 流水号 start at 000001 at
each account): a line is its id at its own bank. Both lines unexplained were one
bank-unmatched of their sum (2,000.00 where the banks held 1,200.00 and 800.00), and
`book 000001` was refused with advice no id could follow (blind24 overlaps)."""

from __future__ import annotations

import json

from conftest import beanclear

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
banks:
  boc:
    type: csv
    account: Assets:Bank:BOC
    currency: CNY
    date_format: "%Y-%m-%d"
    columns: {date: 交易日期, ref: 流水号, memo: 摘要, payee: 对方户名, amount: 金额, balance: 余额}
  cmb:
    type: csv
    account: Assets:Bank:CMB
    currency: CNY
    date_format: "%Y-%m-%d"
    columns: {date: 日期, ref: 流水号, memo: 摘要, payee: 对方, amount: 金额, balance: 余额}
"""
BOC = "交易日期,流水号,摘要,对方户名,金额,余额\n2026-11-03,000001,货款,上海甲公司,1200.00,11200.00\n" \
      "2026-11-04,000002,房租,乙物业,-3000.00,8200.00\n"
CMB = "日期,流水号,摘要,对方,金额,余额\n2026-11-05,000001,往来款,深圳丙公司,800.00,5800.00\n"


def merchant(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "boc.csv").write_text(BOC, encoding="utf-8")
    (tmp_path / "cmb.csv").write_text(CMB, encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "boc.csv"), str(tmp_path / "cmb.csv"))
    assert result.exit_code == 0, result.output
    return tmp_path


def unmatched(root) -> list[tuple[str, str, str]]:
    findings = json.loads(beanclear(root, "check", "--format", "json").output)["findings"]
    return sorted((f["source"], f["refs"][0], f["amount"]) for f in findings if f["code"] == "bank-unmatched")


def test_each_banks_line_of_a_shared_id_is_a_finding_of_its_own(tmp_path):
    root = merchant(tmp_path)
    assert unmatched(root) == [("boc", "000001", "1200.00"), ("boc", "000002", "3000.00"),
                               ("cmb", "000001", "800.00")]


def test_a_shared_id_is_named_with_its_banks_name(tmp_path):
    root = merchant(tmp_path)
    refused = beanclear(root, "book", "000001", "Income:Other")
    assert refused.exit_code == 2
    assert ("'000001' names 2 bank lines: boc:000001 (1,200.00 CNY on 2026-11-03, Assets:Bank:BOC), "
            "cmb:000001 (800.00 CNY on 2026-11-05, Assets:Bank:CMB); name one as its bank's name and its id, "
            "as listed") in refused.output
    booked = beanclear(root, "book", "cmb:000001", "Income:Other")
    assert booked.exit_code == 0 and "bank line 000001 (800.00 CNY) booked to Income:Other" in booked.output
    assert "Income:Other" in (root / "books" / "cmb" / "2026" / "2026-11.beancount").read_text(encoding="utf-8")
    assert "Income:Other" not in (root / "books" / "boc" / "2026" / "2026-11.beancount").read_text(encoding="utf-8")
    assert unmatched(root) == [("boc", "000001", "1200.00"), ("boc", "000002", "3000.00")]
    # an id one bank's line alone has needs no bank's name; a bank's name with no such line is said
    assert beanclear(root, "book", "000002", "Expenses:Rent").exit_code == 0
    missing = beanclear(root, "book", "cmb:000002", "Expenses:Rent")
    assert missing.exit_code == 2 and "no bank line has the id or reference 'cmb:000002'" in missing.output
