"""Which of two sources of one type claims a statement that names its account (DESIGN.md
§3, `account_id`: "tells two accounts of one type apart"), where one of them has no
`account_id` (ledger/books/identify.py): the source whose `account_id` names the file's
account claims it over one without (the more specific claim), and a source without
`account_id` whose books hold statements of another account does not claim it at all.
So "give that account a source of its own (account_id in config.yaml)" is true advice
(blind14: following it led into "more than one source claims this file")."""

from __future__ import annotations

from conftest import beanclear, sample, snapshot
from statement_files import fund_lines, fund_rows, FUND_FOOTER

OLD = "20880000000000000156"   # the account of statement_files' bills
NEW = "2088101122334455"


def alipay_bill(folder, account: str, name: str):
    """An Alipay 账务明细 whose `#账号` line names `account` (statement_files' rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = fund_lines(fund_rows(), FUND_FOOTER)
    lines[1] = f"#账号：[{account}]"
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


ONE = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  alipay: {type: alipay, settlement_days: 6}
"""
SECOND = '  alipay2: {type: alipay, account_id: "%s", settlement_days: 6}\n' % NEW


def test_the_advice_to_give_another_account_a_source_of_its_own_holds_when_followed(tmp_path):
    (tmp_path / "config.yaml").write_text(ONE, encoding="utf-8")
    old = alipay_bill(tmp_path / "st" / "a", OLD, "old_账务明细.csv")
    new = alipay_bill(tmp_path / "st" / "b", NEW, "new_账务明细.csv")
    assert beanclear(tmp_path, "import", str(old)).exit_code == 0
    # one source: it claims the file as today, and refuses it as another account's
    refused = beanclear(tmp_path, "import", str(new))
    assert refused.exit_code == 2
    assert (f"a statement of account {NEW}, but the books hold alipay's statements of {OLD}: give that account a "
            "source of its own (account_id in config.yaml)") in refused.output
    # followed: the new source with that account_id reads it, the old one not
    (tmp_path / "config.yaml").write_text(ONE + SECOND, encoding="utf-8")
    books = snapshot(tmp_path / "books")
    result = beanclear(tmp_path, "import", str(new))
    assert result.exit_code == 0, result.output
    assert "new_账务明细.csv: alipay2 (alipay fund ledger)" in result.output
    assert {p for p in snapshot(tmp_path / "books") if p not in books and p.startswith("alipay2")}
    assert not any(p.startswith("alipay/") and books.get(p) != data
                   for p, data in snapshot(tmp_path / "books").items() if p in books)
    # and both folders again: each file its own source, imported before
    again = beanclear(tmp_path, "import", str(tmp_path / "st"))
    assert again.exit_code == 0, again.output
    assert "old_账务明细.csv: alipay (alipay fund ledger)" in again.output
    assert "new_账务明细.csv: alipay2 (alipay fund ledger)" in again.output
    assert again.output.count("imported before") == 2, again.output


def test_a_source_naming_the_account_claims_it_over_one_without_books(tmp_path):
    (tmp_path / "config.yaml").write_text(ONE + SECOND, encoding="utf-8")
    new = alipay_bill(tmp_path / "st", NEW, "new_账务明细.csv")
    result = beanclear(tmp_path, "import", str(new))
    assert result.exit_code == 0, result.output
    assert "new_账务明细.csv: alipay2 (alipay fund ledger)" in result.output
    assert not (tmp_path / "books" / "alipay").exists()
    # a bill of another account is the source's without account_id, as before
    old = alipay_bill(tmp_path / "st", OLD, "old_账务明细.csv")
    result = beanclear(tmp_path, "import", str(old))
    assert result.exit_code == 0 and "old_账务明细.csv: alipay (alipay fund ledger)" in result.output, result.output


def test_a_source_without_account_id_whose_books_hold_another_account_claims_none_of_its_files(tmp_path):
    # two sources without account_id, each with its books: each file goes to the one of its account
    (tmp_path / "config.yaml").write_text(ONE + "  alipay2: {type: alipay, settlement_days: 6}\n", encoding="utf-8")
    old = alipay_bill(tmp_path / "st", OLD, "old_账务明细.csv")
    new = alipay_bill(tmp_path / "st", NEW, "new_账务明细.csv")
    assert beanclear(tmp_path, "import", "--source", "alipay", str(old)).exit_code == 0
    result = beanclear(tmp_path, "import", str(new))
    assert result.exit_code == 0, result.output
    assert "new_账务明细.csv: alipay2 (alipay fund ledger)" in result.output


def test_two_sources_without_account_id_and_no_books_are_still_refused(tmp_path):
    (tmp_path / "config.yaml").write_text(ONE + "  alipay2: {type: alipay, settlement_days: 6}\n", encoding="utf-8")
    new = alipay_bill(tmp_path / "st", NEW, "new_账务明细.csv")
    result = beanclear(tmp_path, "import", str(new))
    assert result.exit_code == 2
    assert "more than one source claims this file: alipay (alipay fund ledger), alipay2 (alipay fund ledger)" \
        in result.output
    assert not (tmp_path / "books").exists()


WECHAT = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  wechat: {type: wechat, settlement_days: 1}
  wechat2: {type: wechat, account_id: "1601959334", settlement_days: 1}
"""


def test_a_wechat_trade_bill_goes_to_the_source_of_its_merchant_number(tmp_path):
    (tmp_path / "config.yaml").write_text(WECHAT, encoding="utf-8")
    trade = sample("wechat_merchant", "gunsluo-wechatpay-v3-tradebill-ALL.csv")
    result = beanclear(tmp_path, "import", str(trade))
    assert result.exit_code == 0, result.output
    assert "tradebill-ALL.csv: wechat2 (wechat trade bill)" in result.output
    # its fund bill names the merchant in 资金变更提交申请人 (`1601959334API`): wechat2's too
    fund = sample("wechat_merchant", "gunsluo-wechatpay-v3-fundflowbill-Basic.csv")
    result = beanclear(tmp_path, "import", str(fund))
    assert result.exit_code == 0 and "fundflowbill-Basic.csv: wechat2 (wechat fund bill)" in result.output, \
        result.output


def test_a_bill_that_names_no_account_is_still_claimed_by_both(tmp_path):
    # a fund bill whose rows a person submitted names no 商户号: either source's, as before
    (tmp_path / "config.yaml").write_text(WECHAT, encoding="utf-8")
    fund = tmp_path / "fundflowbill.csv"
    header = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元)," \
        "资金变更提交申请人,备注,业务凭证号"
    row = "`2021-02-01 13:54:01,`503008069620210201,`420000092020210119,`退款,`退款,`支出,`0.01,`0.22,`张三,`退款,`S1"
    fund.write_text("\n".join([header, row, "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额", "`1,`0,`0.00,`1,`0.01", ""]),
                    encoding="utf-8")
    refused = beanclear(tmp_path, "import", str(fund))
    assert refused.exit_code == 2, refused.output
    assert "more than one source claims this file: wechat (wechat fund bill), wechat2 (wechat fund bill)" \
        in refused.output
    assert not (tmp_path / "books").exists()


def mt940(account: str, ref: str) -> str:
    return (f":20:{ref}\n:25:{account}\n:28C:1/1\n:60F:C260301EUR1000,00\n"
            f":61:2603020302C250,00NTRFNONREF//{ref}1\n:86:166?00GUTSCHRIFT?20KUNDE {ref}\n"
            ":62F:C260302EUR1250,00\n-\n")


BANKS = """\
books: books
timezone: Europe/Berlin
banks:
  main: {type: mt940, account: Assets:Bank:Main, currency: EUR}
"""


def test_a_bank_without_account_id_gives_another_accounts_statement_to_the_bank_of_it(tmp_path):
    (tmp_path / "config.yaml").write_text(BANKS, encoding="utf-8")
    (tmp_path / "st").mkdir()
    (tmp_path / "st" / "one.sta").write_text(mt940("DE89370400440532013000", "M"), encoding="utf-8")
    (tmp_path / "st" / "two.sta").write_text(mt940("DE02120300000000202051", "S"), encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "st" / "one.sta")).exit_code == 0
    refused = beanclear(tmp_path, "import", str(tmp_path / "st" / "two.sta"))
    assert refused.exit_code == 2 and "give that account a source of its own" in refused.output
    (tmp_path / "config.yaml").write_text(
        BANKS + '  spare: {type: mt940, account: Assets:Bank:Spare, currency: EUR, account_id: "0000202051"}\n',
        encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "st"))
    assert result.exit_code == 0, result.output
    assert "two.sta: spare (mt940 statement), 1 rows read" in result.output, result.output
    assert "one.sta: main (mt940 statement)" in result.output and "imported before" in result.output
    assert "250.00 EUR" in (tmp_path / "books" / "spare" / "2026" / "2026-03.beancount").read_text()
