"""A statement saved with CR alone ending its lines (Excel for Mac's "CSV", some bank
portals) or with CRLF books what the file with LF books: the same entries, only its
coverage record's digest (of the file's bytes) differs. Blind10: WeChat Pay bills, Stripe
and PayPal CSVs and MT940 with CR alone were "no importer recognises this file", while
Alipay's, the bank CSVs and OFX were read (one rule now: the head every importer
recognises a file by has its lines ended by LF, toolkit.tables.sniff)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from beanclear import config as config_mod
from beanclear.books import importing

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
CONFIG = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, currency: CNY, bank: icbc, fees: [{rate: 0.006}]}
  stripe: {type: stripe, currency: USD, bank: usbank}
  paypal: {type: paypal, currency: USD, bank: usbank}
banks:
  icbc: {type: icbc, account: "Assets:Bank:ICBC"}
  usbank: {type: ofx, account: "Assets:Bank:US", currency: USD}
  eubank: {type: mt940, account: "Assets:Bank:EU", currency: EUR}
  cmb: {type: cmb, account: "Assets:Bank:CMB"}
"""
FILES = ["wechat_merchant/gunsluo-wechatpay-v3-tradebill-ALL.csv",
         "wechat_merchant/gunsluo-wechatpay-v3-fundflowbill-Basic.csv",
         "stripe_csv/hledger-stripe-balance_change_from_activity.csv",
         "paypal_csv/oca-paypal-statement_en.csv",
         "mt940/mt940-jejik-rabobank-iban.sta",
         "bank_csv/deg-cmb-debit.csv"]
DIGEST = re.compile(r'^(\d{4}-\d\d-\d\d custom "beanclear-coverage" "[^"]*" \d{4}-\d\d-\d\d) "[0-9a-f]+"\n'
                    r'  id: "(coverage [^"]*?) [0-9a-f]+"$', re.M)


def books_of(tmp_path: Path, name: str, data: bytes) -> str:
    tmp_path.mkdir()
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    statement = tmp_path / "statements" / name
    statement.parent.mkdir()
    statement.write_bytes(data)
    importing.run(config_mod.load(tmp_path / "config.yaml"), [statement])
    month_files = sorted((tmp_path / "books").glob("*/*/*.beancount"))
    assert month_files
    text = "".join(p.read_text(encoding="utf-8") for p in month_files)
    return DIGEST.sub(r"\1\n  id: \"\2\"", re.sub(r'^[ \t]+digest: "[^"]*"\n', "", text, flags=re.M))


@pytest.mark.parametrize("sample", FILES)
@pytest.mark.parametrize("line_end", [b"\r", b"\r\n"])
def test_a_statement_of_cr_or_crlf_lines_books_what_its_lf_lines_book(tmp_path, sample, line_end):
    original = (SAMPLES / sample).read_bytes()
    lf = original.replace(b"\r\n", b"\n")
    assert b"\r" not in lf
    name = Path(sample).name
    assert books_of(tmp_path / "other", name, lf.replace(b"\n", line_end)) == books_of(tmp_path / "lf", name, lf)
