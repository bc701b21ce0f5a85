"""`beanclear export`: the demo's books and findings as tables, exactly, replaced on
every export, in SQLite (the default), any SQLAlchemy URL, or Parquet files."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from beancount.core import data

from conftest import beanclear, snapshot

from beanclear import books
from beanclear.exports import tables as tables_mod

TABLES = ("transactions", "postings", "findings", "daily_channel")


@pytest.fixture(scope="module")
def merchant(demo_built, demo_copy):
    """The demo's merchant (config.yaml, books): a copy of the session's build to export
    (an export writes beside the config), that build's report, and the copy's own load
    of the books."""
    root = demo_copy()
    built = demo_built()
    entries, _, _ = books.load(root / "books" / "main.beancount")
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    return root, built, txns


@pytest.fixture(scope="module")
def exported(merchant):
    root, _, _ = merchant
    result = beanclear(root, "export")
    assert result.exit_code == 0, result.output
    return root / "export.sqlite", result


def rows(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def count(path, table):
    return rows(path, f"SELECT COUNT(*) FROM {table}")[0][0]


def test_sqlite_beside_the_config_holds_every_transaction_posting_and_finding(merchant, exported):
    _, built, txns = merchant
    path, result = exported
    assert path.exists()
    assert count(path, "transactions") == len(txns)
    assert count(path, "postings") == sum(len(t.postings) for t in txns)
    assert count(path, "findings") == len(built.report.findings)
    assert Counter(r[0] for r in rows(path, "SELECT code FROM findings")) == Counter(
        f.code for f in built.report.findings)
    assert f"{len(txns):,} transactions" in result.output


def test_the_postings_of_each_account_sum_to_the_books_to_the_cent(merchant, exported):
    _, _, txns = merchant
    path, _ = exported
    books_sum = defaultdict(Decimal)
    for t in txns:
        for p in t.postings:
            books_sum[(p.account, p.units.currency)] += p.units.number
    exported_sum = defaultdict(Decimal)
    for account, number, currency in rows(path, "SELECT account, number, currency FROM postings"):
        exported_sum[(account, currency)] += Decimal(number)  # the text is the Decimal, never a float
    assert exported_sum == books_sum
    assert {t for (t,) in rows(path, "SELECT DISTINCT typeof(number) FROM postings")} == {"text"}


def test_the_rows_keep_the_statement_ids_sources_and_files(merchant, exported):
    _, _, txns = merchant
    path, _ = exported
    first = next(t for t in txns if "/wechat/" in t.meta["filename"])
    (row,) = rows(path, f"SELECT source, statement_id, file, line, date FROM transactions "
                        f"WHERE statement_id = '{first.meta['id']}'")
    assert row[0] == "wechat" and row[2].startswith("books/wechat/") and row[3] == first.meta["lineno"]
    assert row[4] == first.date.isoformat()
    # A person's or the config's entry (the openings) is no source's.
    assert {s for (s,) in rows(path, "SELECT source FROM transactions WHERE file = 'books/accounts.beancount'")} == {""}


def test_the_findings_keep_their_state_refs_and_exact_amounts(merchant, exported):
    _, built, _ = merchant
    path, _ = exported
    got = rows(path, "SELECT code, refs, amount, acknowledged, severity FROM findings")
    # a finding of no money (no currency: a statement-gap's days) has no amount, as in the
    # month's report; one being followed up is not acknowledged (README "Follow up")
    want = [(f.code, list(f.refs), f.amount if f.currency else None,
             f.acknowledged and (f.follow_up or {}).get("state") != "following up", f.severity)
            for f in built.report.findings]
    assert [(c, json.loads(r), None if a is None else Decimal(a), bool(k), s) for c, r, a, k, s in got] == want
    assert any(a is None for _, _, a, _, _ in got)   # the demo's statement-gap of HSBC


def test_daily_channel_figures_add_up_to_the_books(merchant, exported):
    root, built, txns = merchant
    path, _ = exported
    config = built.config
    figures = defaultdict(Decimal)
    for channel, currency, sales, refunds, fees, settled in rows(
            path, "SELECT channel, currency, sales, refunds, fees, settled FROM daily_channel"):
        for name, value in (("sales", sales), ("refunds", refunds), ("fees", fees), ("settled", settled)):
            figures[(channel, currency, name)] += Decimal(value)
            # with the currency's places: a day of no refund is "0.00", as its sales are "12.30"
            assert Decimal(value).as_tuple().exponent == -2, (channel, name, value)
    wechat = config.channels["wechat"].accounts
    fees = sum(p.units.number for t in txns for p in t.postings if p.account == wechat.fees)
    assert figures[("wechat", "CNY", "fees")] == fees
    bank = config.banks[config.channels["wechat"].bank].account
    settled = sum(p.units.number for t in txns if any(q.account == wechat.transit for q in t.postings)
                  for p in t.postings if p.account == bank)
    assert figures[("wechat", "CNY", "settled")] == settled > 0
    # The bank's other lines (the opening, rent, a payout of another channel) are not settled by WeChat.
    everything = sum(p.units.number for t in txns for p in t.postings if p.account == bank)
    assert everything != settled
    assert figures[("wechat", "CNY", "sales")] > 0 and figures[("stripe", "USD", "refunds")] > 0


def test_daily_channel_sales_and_refunds_are_the_months_report_s(merchant, exported):
    # blind10: February's wechat sales were 235,079.70 in the export against the report's
    # 234,969.20: the export counted #3460's duplicate charge (110.50) as a sale
    root, _, _ = merchant
    path, _ = exported
    result = beanclear(root, "report", "2026-02", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    report = {(c["name"], c["currency"]): c for c in json.loads(result.output)["channels"]}
    summed = defaultdict(Decimal)
    for channel, currency, sales, refunds, duplicates in rows(
            path, "SELECT channel, currency, sales, refunds, duplicates FROM daily_channel "
                  "WHERE date BETWEEN '2026-02-01' AND '2026-02-28'"):
        for name, value in (("sales", sales), ("refunds", refunds), ("duplicates", duplicates)):
            summed[(channel, currency, name)] += Decimal(value)
    for (name, currency), row in report.items():
        for figure in ("sales", "refunds", "duplicates"):
            assert summed[(name, currency, figure)] == Decimal(row[figure]), (name, currency, figure)
    assert Decimal(report[("wechat", "CNY")]["duplicates"]) == Decimal("110.50")


def test_daily_channel_fees_and_settled_are_the_months_report_s_by_its_rule(tmp_path):
    # blind33 disputes: the export and the page's charts each kept a copy of the report's
    # settled. The export's counted a payout the bank converted (485.20 EUR sent, 530.00 USD
    # credited) as 530.00 USD where the report settled 485.20 EUR: a row in a currency the
    # channel never paid out in. Its days now add up to the report's month, every figure.
    from messy_money import MONTHS, messy_merchant
    folder = messy_merchant(tmp_path)
    assert beanclear(folder, "export").exit_code == 0
    summed = defaultdict(Decimal)
    for date, channel, currency, *figures in rows(
            folder / "export.sqlite", "SELECT date, channel, currency, sales, refunds, duplicates, fees, settled "
                                      "FROM daily_channel"):
        for name, value in zip(("sales", "refunds", "duplicates", "fees", "settled"), figures):
            summed[(channel, currency, date[:7], name)] += Decimal(value)
    reported = {}
    for month in MONTHS:
        result = beanclear(folder, "report", month, "--format", "json")
        assert result.exit_code in (0, 1), result.output
        for row in json.loads(result.output)["channels"]:
            for name in ("sales", "refunds", "duplicates", "fees", "settled"):
                reported[(row["name"], row["currency"], month, name)] = Decimal(row[name])
    assert (reported[("stripe", "USD", "2026-11", "settled")], reported[("stripe_eu", "EUR", "2026-11", "settled")]) \
        == (Decimal("-316.75"), Decimal("485.20"))
    assert {k: v for k, v in summed.items() if v} == {k: v for k, v in reported.items() if v}


def test_exporting_again_replaces_never_appends(merchant, exported):
    root, _, _ = merchant
    path, _ = exported
    before = {t: count(path, t) for t in TABLES}
    result = beanclear(root, "export")
    assert result.exit_code == 0, result.output
    assert {t: count(path, t) for t in TABLES} == before


def test_an_older_layout_is_replaced_and_other_tables_are_left_alone(merchant, tmp_path):
    root, _, txns = merchant
    path = tmp_path / "bi.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE transactions (x TEXT)")
        db.execute("INSERT INTO transactions VALUES ('old')")
        db.execute("CREATE TABLE budget (month TEXT)")
        db.execute("INSERT INTO budget VALUES ('2026-01')")
    result = beanclear(root, "export", "--to", f"sqlite:///{path}")
    assert result.exit_code == 0, result.output
    assert count(path, "transactions") == len(txns)
    assert rows(path, "SELECT * FROM budget") == [("2026-01",)]


def test_parquet_files_read_back_with_the_same_counts_and_decimal_money(merchant, exported, tmp_path):
    root, built, txns = merchant
    path, _ = exported
    folder = tmp_path / "pq"
    for _ in range(2):  # the second export replaces the files
        result = beanclear(root, "export", "--to", f"parquet:{folder}")
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)  # no temporaries
    for table in TABLES:
        read = pq.read_table(folder / f"{table}.parquet")
        assert read.num_rows == count(path, table)
        assert read.column_names == [c for c, _ in tables_mod.SCHEMA[table]]
    postings = pq.read_table(folder / "postings.parquet")
    assert pa.types.is_decimal(postings.schema.field("number").type)
    assert pa.types.is_decimal(pq.read_table(folder / "findings.parquet").schema.field("amount").type)
    total = sum((n for n in postings.column("number").to_pylist()), Decimal(0))
    assert total == sum(p.units.number for t in txns for p in t.postings)
    assert isinstance(total, Decimal)


@pytest.mark.parametrize("url, says", [
    ("nosuch://x", "no database of kind 'nosuch'"),
    ("not a url", "not a database URL"),
    ("parquet:", "needs a folder"),
])
def test_an_unsupported_target_is_exit_2_and_writes_nothing(merchant, url, says):
    root, _, _ = merchant
    result = beanclear(root, "export", "--to", url)
    assert result.exit_code == 2 and says in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("to, says", [
    ("sqlite:///{root}/books/export.sqlite", "inside the books' folder"),
    ("sqlite:///{root}/books/acks.beancount", "inside the books' folder"),
    ("sqlite:///{root}/config.yaml", "it is config.yaml"),
    ("sqlite:///{root}/statements/export.sqlite", "inside statements/, where beanclear keeps"),
    ("parquet:{root}/books", "inside the books' folder"),
    ("parquet:{root}/books/parquet", "inside the books' folder"),
    ("parquet:{root}/statements", "inside statements/, where beanclear keeps"),
])
def test_an_export_among_the_books_config_or_statements_is_refused(merchant, to, says):
    # blind33 hostile (finding 8's class): `report -o` replaced main.beancount; an export is
    # never written among the books, over config.yaml, or where beanclear keeps the statements
    root, _, _ = merchant
    before = snapshot(root)
    target = to.format(root=root)
    result = beanclear(root, "export", "--to", target)
    assert result.exit_code == 2, result.output
    assert f"--to {target}: {says}" in result.output and "nothing written" in result.output, result.output
    assert snapshot(root) == before


def test_parquet_over_a_file_it_did_not_write_is_refused(merchant, tmp_path):
    root, _, _ = merchant
    (tmp_path / "postings.parquet").write_text("a person's notes\n", encoding="utf-8")
    result = beanclear(root, "export", "--to", f"parquet:{tmp_path}")
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'postings.parquet'}: not a Parquet file; beanclear replaces only the tables it wrote" \
        in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["postings.parquet"]


def test_an_unreachable_database_is_exit_2_without_its_password(merchant, tmp_path):
    root, _, _ = merchant
    result = beanclear(root, "export", "--to", f"sqlite:///{tmp_path}/no/such/folder/x.sqlite")
    assert result.exit_code == 2 and "unable to open database file" in result.output
    result = beanclear(root, "export", "--to", "mysql+nosuchdriver://me:secret@localhost/db")
    assert result.exit_code == 2 and "secret" not in result.output


def test_no_books_is_exit_2(tmp_path):
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: CNY\n", encoding="utf-8")
    result = beanclear(tmp_path, "export")
    assert result.exit_code == 2 and "no books yet" in result.output
    assert not (tmp_path / "export.sqlite").exists()


def test_sqlite_keeps_the_text_of_a_decimal_exactly(tmp_path):
    import sqlalchemy as sa
    from beanclear.exports import sql
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    table = tables_mod.Tables({"transactions": [], "findings": [], "daily_channel": [], "postings": [
        {"transaction": 1, "account": "A", "number": Decimal("0.10"), "currency": "CNY",
         "price_number": Decimal("1E+2"), "price_currency": "USD"}]})
    sql.write(engine, table)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT number, price_number FROM postings")).one() == ("0.10", "100")
        read = conn.execute(sql.metadata().tables["postings"].select()).one()
    assert read.number == Decimal("0.10") and isinstance(read.number, Decimal)


# -- daily_channel's settled is the month report's -------------------------------------------

CONVERTING = """\
books: books
currency: EUR
timezone: Europe/Berlin
channels:
  stripe: {type: stripe, currency: EUR, settlement_days: 6, bank: eubank, bank_days: 2}
banks:
  eubank: {type: camt053, account: Assets:Bank:Eubank, currency: EUR}
checks: {fx-gap: {severity: off}}
"""

CONVERTING_STRIPE = """\
"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category","source_id","description","automatic_payout_id","automatic_payout_effective_at_utc"
"txn_g1","2026-10-01 11:00:00","2026-10-03 11:00:00","gbp","125.59","3.47","122.12","charge","ch_g1","Book sale","po_GBP1","2026-10-05 00:00:00"
"txn_p2","2026-10-05 06:05:00","2026-10-05 06:05:00","gbp","-122.12","0.00","-122.12","payout","po_GBP1","STRIPE PAYOUT","",""
"txn_e1","2026-10-02 10:00:00","2026-10-04 10:00:00","eur","60.00","1.15","58.85","charge","ch_e1","Book sale","po_EUR1","2026-10-06 00:00:00"
"txn_p3","2026-10-06 06:05:00","2026-10-06 06:05:00","eur","-58.85","0.00","-58.85","payout","po_EUR1","STRIPE PAYOUT","",""
"txn_e2","2026-10-30 10:00:00","2026-11-01 10:00:00","eur","20.00","0.55","19.45","charge","ch_e2","Book sale","",""
"""


def _camt_entry(ref: str, day: str, amount: str, text: str, sent: str = "") -> str:
    return (f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt>'
            f'</BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls>{sent}'
            '<RltdPties><Dbtr><Nm>STRIPE PAYMENTS EUROPE LTD</Nm></Dbtr></RltdPties>'
            f'<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n')


CONVERTING_CAMT = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-01T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><FrToDt><FrDtTm>2026-10-01T00:00:00</FrDtTm><ToDtTm>2026-10-31T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-09-30</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1198.28</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-10-31</Dt></Dt></Bal>
{_camt_entry("EUB1", "2026-10-06", "139.43", "STRIPE PAYOUT po_GBP1",
             '<AmtDtls><InstdAmt><Amt Ccy="GBP">122.12</Amt><CcyXchg><SrcCcy>GBP</SrcCcy><TrgtCcy>EUR</TrgtCcy>'
             '<UnitCcy>GBP</UnitCcy><XchgRate>1.141746</XchgRate></CcyXchg></InstdAmt></AmtDtls>')}\
{_camt_entry("EUB2", "2026-10-07", "58.85", "STRIPE PAYOUT po_EUR1")}\
</Stmt></BkToCstmrStmt></Document>
"""


def test_daily_channel_settled_adds_up_to_the_months_report_for_a_payout_the_bank_converted(tmp_path):
    # blind33 eubank: a GBP payout the bank credited as 139.43 EUR (CAMT stating 122.12 GBP
    # sent) is settled 122.12 on the report's GBP row; daily_channel put 139.43 on EUR and
    # 0.00 on GBP, so a BI sum of a month's settled EUR was 820.10 above the filed report
    (tmp_path / "config.yaml").write_text(CONVERTING, encoding="utf-8")
    for name, text in (("stripe/bal.csv", CONVERTING_STRIPE), ("bank/oct.xml", CONVERTING_CAMT)):
        (tmp_path / "st" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "st" / name).write_text(text, encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "st")).exit_code == 0
    result = beanclear(tmp_path, "export")
    assert result.exit_code == 0, result.output
    report = json.loads(beanclear(tmp_path, "report", "2026-10", "--format", "json").output)
    summed = defaultdict(Decimal)
    for channel, currency, *figures in rows(
            tmp_path / "export.sqlite", "SELECT channel, currency, sales, refunds, duplicates, fees, settled "
            "FROM daily_channel WHERE date BETWEEN '2026-10-01' AND '2026-10-31'"):
        for name, value in zip(("sales", "refunds", "duplicates", "fees", "settled"), figures):
            summed[(channel, currency, name)] += Decimal(value)
    wanted = {(c["name"], c["currency"], name): Decimal(c[name]) for c in report["channels"]
              for name in ("sales", "refunds", "duplicates", "fees", "settled")}
    assert {k: v for k, v in summed.items() if v} == {k: v for k, v in wanted.items() if v}
    assert wanted[("stripe", "GBP", "settled")] == Decimal("122.12")
    assert wanted[("stripe", "EUR", "settled")] == Decimal("58.85")   # (must-not: a credit in its own currency stays)
