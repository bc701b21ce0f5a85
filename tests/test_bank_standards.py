"""OFX/QFX, CAMT.053 and MT940 bank statements: golden files over every real sample,
totals against the statements' own balances, the traps of FORMATS.md §7b–d in files
the tests write, bad input, and hostile XML."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal

import pytest
from beancount.core import data

from beanclear.importers import camt053, mt940, ofx
from beanclear.importers.toolkit import StatementError
from conftest import GOLDEN, beanclear, sample, snapshot
from golden_util import assert_golden, extraction_text

CONFIG = """\
banks:
  ofx: {type: ofx, account: Assets:Bank:Ofx}
  camt: {type: camt053, account: Assets:Bank:Camt}
  mt: {type: mt940, account: Assets:Bank:Mt}
  mt_second: {type: mt940, account: Assets:Bank:Second, account_id: "0194791600888"}
rules:
  - {match: "JOHN DOE", account: Expenses:Office}
"""
MODULES = {"bank_ofx": ofx, "camt053": camt053, "mt940": mt940}
SAMPLES = {
    "bank_ofx": ["ofxparse-bank_medium.ofx", "ofxparse-checking.ofx", "ofxparse-suncorp.ofx",
                 "ofxparse-v102-empty-tags.ofx"],
    "camt053": ["genkgo-camt053.v2.multi.statement.xml", "genkgo-camt053.v8.xml", "oca-test-camt053-no-ntry.xml",
                "oca-test-camt053.xml"],
    "mt940": ["mt940-betterplace-sepa_snippet.sta", "mt940-february_30.sta", "mt940-jejik-abnamro.sta",
              "mt940-jejik-rabobank-iban.sta"],
}
# The betterplace file holds statements of two accounts: each bank takes its own.
ACCOUNT_IDS = {"mt940-betterplace-sepa_snippet.sta": "0194787400888"}


@pytest.fixture
def cfg(make_config):
    return make_config(CONFIG)


def importer(cfg, folder, account_id=None):
    module = MODULES[folder]
    name = {"bank_ofx": "ofx", "camt053": "camt", "mt940": "mt"}[folder]
    bank = cfg.banks[name]
    if account_id:
        from dataclasses import replace
        bank = replace(bank, account_id=account_id)
    return module.Importer(bank, cfg)


def extract(cfg, folder, path, account_id=None):
    imp = importer(cfg, folder, account_id)
    assert imp.identify(str(path))
    return imp.parse(str(path))


def booked(extraction) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for e in extraction.entries:
        if isinstance(e, data.Transaction):
            units = e.postings[0].units
            out[units.currency] = out.get(units.currency, Decimal(0)) + units.number
    return out


def balances(extraction) -> list[tuple[str, str, Decimal]]:
    return [(str(e.date), e.amount.currency, e.amount.number) for e in extraction.entries
            if isinstance(e, data.Balance)]


@pytest.mark.parametrize("folder, name", [(f, n) for f, names in SAMPLES.items() for n in names])
def test_golden(cfg, folder, name):
    extraction = extract(cfg, folder, sample(folder, name), ACCOUNT_IDS.get(name))
    assert_golden(extraction_text(extraction), GOLDEN / folder / f"{name}.beancount")


def test_every_sample_is_claimed_by_exactly_its_own_importer(cfg):
    from beanclear.importers.registry import for_config
    importers = for_config(cfg)
    for folder, names in SAMPLES.items():
        for name in names:
            claims = [i.source.name for i in importers if i.identify(str(sample(folder, name)))]
            expected = {"bank_ofx": ["ofx"], "camt053": ["camt"], "mt940": ["mt"]}[folder]
            if name == "mt940-betterplace-sepa_snippet.sta":
                expected = ["mt", "mt_second"]
            assert claims == expected, name


# -- totals: what the books hold per currency is what the statement says ----------------

@pytest.mark.parametrize("name", SAMPLES["bank_ofx"])
def test_ofx_totals_equal_the_sum_of_its_lines(cfg, name):
    path = sample("bank_ofx", name)
    stated = sum(Decimal(a) for a in re.findall(r"<TRNAMT>\s*([-+\d.]+)", path.read_text()))
    extraction = extract(cfg, "bank_ofx", path)
    assert sum(booked(extraction).values()) == stated
    assert extraction.notes == []


@pytest.mark.parametrize("folder, name, account_id, currency, opening, closing", [
    ("camt053", "genkgo-camt053.v2.multi.statement.xml", None, "EUR", "18.15", "20.00"),
    ("camt053", "oca-test-camt053-no-ntry.xml", None, "CHF", "1520.76", "1520.76"),
    ("mt940", "mt940-jejik-rabobank-iban.sta", None, "EUR", "1000.00", "930.00"),
    ("mt940", "mt940-february_30.sta", None, "EUR", "1200.00", "1194.00"),
    ("mt940", "mt940-betterplace-sepa_snippet.sta", "0194787400888", "EUR", "766656.49", "1125250.40"),
])
def test_closing_minus_opening_equals_the_booked_entries(cfg, folder, name, account_id, currency, opening, closing):
    extraction = extract(cfg, folder, sample(folder, name), account_id)
    assert booked(extraction).get(currency, Decimal(0)) == Decimal(closing) - Decimal(opening)
    assert balances(extraction)[-1][1:] == (currency, Decimal(closing))
    assert extraction.notes == []


@pytest.mark.parametrize("folder, name, account_id, rows_total, notes", [
    # Test files whose balances do not add up: every line is booked as written and the
    # difference is reported, never hidden or "fixed".
    ("camt053", "oca-test-camt053.xml", None, "-12.99", ["15555.28, but the closing balance says 15121.12"]),
    ("mt940", "mt940-jejik-abnamro.sta", None, "-345.93", ["2914.84, but the closing balance says 876.84",
                                                            "2852.35, but the closing balance says 1849.75"]),
    ("mt940", "mt940-betterplace-sepa_snippet.sta", "0194791600888", "-2501917.30",
     ["-4472349.17, but the closing balance says -4472049.09"]),
    ("camt053", "genkgo-camt053.v8.xml", None, "8.85", ["closing balance in SEK, but its entries are in EUR"]),
])
def test_statements_that_do_not_add_up_are_reported(cfg, folder, name, account_id, rows_total, notes):
    extraction = extract(cfg, folder, sample(folder, name), account_id)
    assert sum(booked(extraction).values()) == Decimal(rows_total)
    assert len(extraction.notes) == len(notes)
    for note, expected in zip(extraction.notes, notes):
        assert expected in note


def test_intermediate_balances_are_checked_not_asserted(cfg):
    extraction = extract(cfg, "mt940", sample("mt940", "mt940-jejik-abnamro.sta"))
    # :62F: of the first statement is asserted; :62M: of the second is not (more lines may follow).
    assert balances(extraction) == [("2011-05-24", "EUR", Decimal("876.84"))]


def test_several_statements_of_one_day_assert_the_last_one(cfg):
    extraction = extract(cfg, "camt053", sample("camt053", "genkgo-camt053.v2.multi.statement.xml"))
    assert balances(extraction) == [("2015-01-01", "EUR", Decimal("20.00"))]


# -- times in UTC: dated in the books' zone (DESIGN.md §3 `timezone`) -------------------

LOS_ANGELES = "timezone: America/Los_Angeles\n" + CONFIG
MULTI = "genkgo-camt053.v2.multi.statement.xml"


def txns_of(extraction) -> list[data.Transaction]:
    return [e for e in extraction.entries if isinstance(e, data.Transaction)]


def camt_booked_at(stamp: str) -> str:
    """The two-statement sample, its first entry booked at `stamp` rather than on 2014-12-31."""
    text = sample("camt053", MULTI).read_text(encoding="utf-8")
    return re.sub(r"<BookgDt>\s*<Dt>2014-12-31</Dt>", f"<BookgDt><DtTm>{stamp}</DtTm>", text, count=1)


@pytest.mark.parametrize("stamp, day", [
    ("2015-01-01T05:10:00Z", "2014-12-31"),        # 21:10 on 31 Dec in Los Angeles
    ("2015-01-01T05:10:00+00:00", "2014-12-31"),
    ("2014-12-31T21:10:00-08:00", "2014-12-31"),   # the same instant in the zone's own offset
    ("2014-12-31T21:10:00", "2014-12-31"),         # no offset: the time as written
    ("2015-01-01T06:10:00+01:00", "2015-01-01"),   # the bank's own offset: its own day, as written
    ("2015-01-01T00:00:00Z", "2015-01-01"),        # UTC midnight: a day written as a time
], ids=["utc", "utc-offset", "local-offset", "no-offset", "bank-offset", "utc-midnight"])
def test_camt_a_utc_booking_time_is_dated_in_the_books_zone(make_config, tmp_path, stamp, day):
    path = tmp_path / "camt.xml"
    path.write_text(camt_booked_at(stamp), encoding="utf-8")
    extraction = extract(make_config(LOS_ANGELES), "camt053", path)
    first = txns_of(extraction)[0]
    assert str(first.date) == day
    # The id is a digest of what the line says, the time as written: the same in any zone,
    # so a statement imported before the books' zone read it still finds its lines.
    assert first.meta["id"] == txns_of(extract(make_config(CONFIG), "camt053", path))[0].meta["id"]


@pytest.mark.parametrize("stamp", ["2015-01-01T07:59:59Z", "2015-01-01T08:00:00Z"], ids=["last-second", "midnight"])
def test_camt_a_utc_balance_and_period_end_on_the_books_day(make_config, tmp_path, stamp):
    # The bank closes 31 Dec at midnight in Los Angeles and writes it in UTC (its last
    # second, or the first instant of 1 Jan): the balance is 31 Dec's closing balance,
    # asserted on 1 Jan (not 2 Jan, after 1 Jan's lines), and the statement's period,
    # written in UTC too, is 31 Dec.
    text = sample("camt053", MULTI).read_text(encoding="utf-8")
    text = re.sub(r"<Dt>\s*<Dt>2014-12-31</Dt>\s*</Dt>", f"<Dt><DtTm>{stamp}</DtTm></Dt>", text)
    text = text.replace("2007-10-18T08:00:00+01:00", "2014-12-31T08:00:00Z").replace(
        "2007-10-18T12:30:00+01:00", "2015-01-01T07:59:59Z")
    path = tmp_path / "camt.xml"
    path.write_text(text, encoding="utf-8")
    extraction = extract(make_config(LOS_ANGELES), "camt053", path)
    assert balances(extraction) == [("2015-01-01", "EUR", Decimal("20.00"))]
    assert extraction.period == (dt.date(2014, 12, 31), dt.date(2014, 12, 31))


@pytest.mark.parametrize("stamp, day", [
    ("20090402051000.000[0:GMT]", "2009-04-01"),    # 22:10 on 1 Apr in Los Angeles
    ("20090402051000[+0:UTC]", "2009-04-01"),
    ("20090402051000.000[-5:EST]", "2009-04-02"),   # the bank's own zone: its day, as written
    ("20090402000000.000[0:GMT]", "2009-04-02"),    # GMT midnight: a day written as a time
    ("20090402", "2009-04-02"),
], ids=["gmt", "utc", "est", "gmt-midnight", "day"])
def test_ofx_a_utc_posting_time_is_dated_in_the_books_zone(make_config, tmp_path, stamp, day):
    text = sample("bank_ofx", "ofxparse-bank_medium.ofx").read_text(encoding="ascii")
    path = tmp_path / "bank.ofx"
    path.write_text(text.replace("20090401122017.000[-5:EST]", stamp), encoding="ascii")
    first = txns_of(extract(make_config(LOS_ANGELES), "bank_ofx", path))[0]
    assert str(first.date) == day
    assert first.meta["id"] == txns_of(extract(make_config(CONFIG), "bank_ofx", path))[0].meta["id"]


# -- end to end through the command line ------------------------------------------------

E2E = """\
books: books
banks:
  ing:
    type: mt940
    account: Assets:Bank:Rabo
    currency: EUR
    opening_balance: {date: 2012-12-31, amount: 1000.00}
  vayb:
    type: camt053
    account: Assets:Bank:Vayb
    currency: EUR
    opening_balance: {date: 2014-12-30, amount: 18.15}
  td:
    type: ofx
    account: Assets:Bank:Cad
    currency: CAD
    account_id: "000012345678"
    opening_balance: {date: 2009-03-31, amount: 727.61}
rules:
  - {match: "JOHN DOE", account: Expenses:Office}
"""


@pytest.fixture
def bank_merchant(tmp_path):
    (tmp_path / "config.yaml").write_text(E2E, encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    for folder, name in (("mt940", "mt940-jejik-rabobank-iban.sta"), ("bank_ofx", "ofxparse-bank_medium.ofx"),
                         ("camt053", "genkgo-camt053.v2.multi.statement.xml")):
        shutil.copy(sample(folder, name), statements / name)
    return tmp_path


def test_import_reimport_and_check_through_the_cli(bank_merchant):
    first = beanclear(bank_merchant, "import", str(bank_merchant / "statements"))
    assert first.exit_code == 0, first.output
    assert "vayb (camt.053 statement), 2 rows read, 2 entries written, 0 already in the books; balance assertions: " \
        "1 written" in first.output
    assert "td (ofx statement), 3 rows read, 3 entries written, 0 already in the books; balance assertions: 1 written" \
        in first.output
    assert "ing (mt940 statement), 4 rows read, 4 entries written, 0 already in the books; balance assertions: 2 " \
        "written" in first.output
    books = snapshot(bank_merchant / "books")
    again = beanclear(bank_merchant, "import", str(bank_merchant / "statements"))
    assert again.exit_code == 0 and again.output.count("0 entries written") == 3
    assert snapshot(bank_merchant / "books") == books
    rabo = (bank_merchant / "books" / "ing" / "2013" / "2013-01.beancount").read_text()
    assert "Expenses:Office" in rabo and "2013-01-03 balance Assets:Bank:Rabo" in rabo
    check = beanclear(bank_merchant, "check", "--format", "json")
    # Every balance assertion holds (opening + lines = closing); the lines no rule
    # explains are bank-unmatched warnings, not errors.
    assert check.exit_code == 0, check.output
    import json
    findings = json.loads(check.output)["findings"]
    assert {f["code"] for f in findings} == {"bank-unmatched"}
    assert any(f["refs"] == ["0000123456782009040100001/20090401/-6.60", "0000123456782009040100001"]
               for f in findings)


def test_a_line_booked_at_a_utc_time_is_in_the_books_month_and_its_balance_holds(tmp_path):
    # The blind tester's statement (DESIGN.md §3 `timezone`): a line the bank booked at
    # 05:10 UTC on 1 Jan is 21:10 on 31 Dec in Los Angeles, in December's file before
    # the statement's closing balance, and the period the bank wrote in UTC is 31 Dec.
    (tmp_path / "config.yaml").write_text("timezone: America/Los_Angeles\n" + E2E, encoding="utf-8")
    (tmp_path / "statements").mkdir()
    text = sample("camt053", "genkgo-camt053.v2.multi.statement.xml").read_text(encoding="utf-8")
    text = re.sub(r"<BookgDt>\s*<Dt>2014-12-31</Dt>", "<BookgDt><DtTm>2015-01-01T05:10:00Z</DtTm>", text, count=1)
    text = text.replace("2007-10-18T08:00:00+01:00", "2014-12-31T08:00:00Z").replace(
        "2007-10-18T12:30:00+01:00", "2015-01-01T07:59:59Z")
    (tmp_path / "statements" / "dec.xml").write_text(text, encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "statements")).exit_code == 0
    december = (tmp_path / "books" / "vayb" / "2014" / "2014-12.beancount").read_text(encoding="utf-8")
    assert december.count("Assets:Bank:Vayb  ") == 2   # both lines
    assert 'custom "beanclear-coverage" "vayb" 2014-12-31' in december and 'id: "coverage 2014-12-31 2014-12-31 ' \
        in december
    check = beanclear(tmp_path, "check", "--format", "json")
    import json
    assert [f for f in json.loads(check.output)["findings"] if f["code"] == "beancount"] == []


def test_a_bad_line_is_refused_and_the_books_stay_as_they_were(bank_merchant):
    assert beanclear(bank_merchant, "import", str(bank_merchant / "statements")).exit_code == 0
    before = snapshot(bank_merchant / "books")
    bad = bank_merchant / "bad.sta"
    bad.write_text(":20:X\n:25:NL71RABO0123456789\n:28C:1\n:60F:C130201EUR930,00\n"
                   ":61:130202D12.50N102NONREF\n:62F:C130202EUR917,50\n-\n", encoding="utf-8")
    result = beanclear(bank_merchant, "import", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:5: :61: expected value date YYMMDD" in result.output
    assert "nothing was written" in result.output
    assert snapshot(bank_merchant / "books") == before


@pytest.mark.parametrize("doctype", [
    # billion laughs: entities that expand to gigabytes
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
    # an external entity that would read a local file into the statement
    '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
])
def test_hostile_xml_is_refused_not_expanded(bank_merchant, doctype):
    path = bank_merchant / "evil.xml"
    ref = "&lol3;" if "lol" in doctype else "&xxe;"
    path.write_text(f'<?xml version="1.0"?>\n{doctype}\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
                    f'camt.053.001.02"><BkToCstmrStmt><Stmt><Id>{ref}</Id></Stmt></BkToCstmrStmt></Document>\n',
                    encoding="utf-8")
    before = snapshot(bank_merchant / "books")
    result = beanclear(bank_merchant, "import", "--source", "vayb", str(path))
    assert result.exit_code == 2
    assert f"{path}:2: the XML declares a document type or entities" in result.output
    assert "refused" in result.output and "root:" not in result.output
    assert snapshot(bank_merchant / "books") == before


def _twice(path, tmp_path, cut, end, changed=None):
    """The sample with its statements (from `cut` to `end` in its text) listed again after them,
    `changed` (old, new) in the copy."""
    text = path.read_text(encoding="utf-8")
    start, stop = text.index(cut), text.rindex(end) + len(end)
    copy = text[start:stop] if changed is None else text[start:stop].replace(*changed, 1)
    out = tmp_path / path.name
    out.write_text(text[:stop] + copy + text[stop:], encoding="utf-8")
    return out


TWICE = [("mt940", "mt940-jejik-rabobank-iban.sta", ":20:", ":62F:C130115EUR000000000930,00\n",
          ("D000000000010,00", "D000000000011,00")),
         ("camt053", "oca-test-camt053.xml", "<Stmt>", "</Stmt>",
          ('<Amt Ccy="EUR">754.25', '<Amt Ccy="EUR">754.26'))]


@pytest.mark.parametrize("folder, name, cut, end, changed", TWICE)
def test_a_statement_the_file_lists_twice_is_read_once(cfg, tmp_path, monkeypatch, folder, name, cut, end, changed):
    # Rabobank writes :20:940S130101 and :28C:0 on every statement: the opening tells them apart.
    from beanclear.importers.toolkit import text
    alone = extract(cfg, folder, sample(folder, name))
    path = _twice(sample(folder, name), tmp_path, cut, end)
    for stream_from in (None, 0):   # read whole, and streamed (which reads it whole then)
        with monkeypatch.context() as m:
            if stream_from is not None:
                m.setattr(text, "STREAM_FROM", stream_from)
            twice = extract(cfg, folder, path)
        assert extraction_text(twice).split("\n\n", 1)[1] == extraction_text(alone).split("\n\n", 1)[1]
        assert twice.stated_openings == alone.stated_openings
        assert twice.rows == 2 * alone.rows and sum(twice.skipped.values()) == alone.rows
        assert any("repeats the one on line" in n and "read once" in n for n in twice.notes)


@pytest.mark.parametrize("folder, name, cut, end, changed", TWICE)
def test_a_statement_listed_again_with_other_lines_is_refused(cfg, tmp_path, folder, name, cut, end, changed):
    path = _twice(sample(folder, name), tmp_path, cut, end, changed)
    with pytest.raises(StatementError, match=r"again, as on line \d+: the same account, number and opening balance"):
        extract(cfg, folder, path)
