"""A statement the books record by the digest of its bytes (its coverage record's
`digest:`) is not read again: the summary says when it was imported and nothing is
written. Another name with the same bytes is the same statement; other bytes are read
as ever; `--force` reads it; books whose records have no digest read it as before."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from beanclear import config as config_mod
from beanclear.books import importing
from conftest import snapshot
from test_import_held import bill, merchant

COVERAGE = re.compile(r'^\d{4}-\d{2}-\d{2} custom "beanclear-coverage"[^\n]*\n(?:[ \t]+[^\n]*\n)*', re.M)


def run(folder, *paths, force=False):
    config = config_mod.load(folder / "config.yaml")
    return importing.run(config, list(paths), force=force)


def records(folder) -> list[str]:
    """Every coverage record of the books, as text."""
    return [m.group(0) for p in sorted((folder / "books").rglob("*.beancount"))
            for m in COVERAGE.finditer(p.read_text(encoding="utf-8"))]


def not_parsed(monkeypatch):
    """Make reading any statement fail: what is skipped is never read."""
    def read(path, *args):
        raise AssertionError(f"{path} was read")
    monkeypatch.setattr(importing, "_read", read)


def test_the_coverage_record_holds_the_digest_of_the_bytes(tmp_path):
    folder = merchant(tmp_path, "m")
    path = bill(folder, 50)
    run(folder, path)
    [record] = records(folder)
    assert f'  digest: "sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}"\n' in record
    assert '  statement: "tradebill.csv"\n' in record


def test_a_reimport_recorded_by_digest_is_not_read_and_writes_nothing(tmp_path, monkeypatch):
    folder = merchant(tmp_path, "m")
    path = bill(folder, 200)
    run(folder, path)
    before = snapshot(folder / "books")
    not_parsed(monkeypatch)
    [again] = run(folder, path)
    assert again.before is not None and not again.new and not again.covered
    line = again.summary()
    assert line.startswith(f"{path}: wechat (wechat trade bill), imported before (covering 2026-01-01 to ")
    assert "not read again: 0 entries written" in line and "--force" in line
    assert "recorded in books/wechat/2026/2026-03.beancount)" in line   # where the record is
    assert snapshot(folder / "books") == before


def test_the_same_bytes_under_another_name_are_not_read(tmp_path, monkeypatch):
    folder = merchant(tmp_path, "m")
    path = bill(folder, 100)
    run(folder, path)
    before = snapshot(folder / "books")
    copy = path.with_name("downloaded again (1).csv")
    shutil.copyfile(path, copy)
    not_parsed(monkeypatch)
    [again] = run(folder, copy)
    assert "imported before as tradebill.csv (covering " in again.summary()
    assert snapshot(folder / "books") == before


def test_other_bytes_are_read(tmp_path):
    folder = merchant(tmp_path, "m")
    half = bill(folder, 200, "half.csv", keep=lambda lines: lines[::2])
    run(folder, half)
    [full] = run(folder, bill(folder, 200))
    assert full.before is None and full.new and full.known > 0
    assert f"{full.known} already in the books" in full.summary()
    assert len(records(folder)) == 2 and all("digest:" in r for r in records(folder))


def test_force_reads_it_again(tmp_path):
    folder = merchant(tmp_path, "m")
    path = bill(folder, 100)
    [first] = run(folder, path)
    before = snapshot(folder / "books")
    [again] = run(folder, path, force=True)
    assert again.before is None and not again.new and again.known >= 100
    assert f"0 entries written, {again.known} already in the books" in again.summary()
    assert snapshot(folder / "books") == before


def test_entries_a_person_deleted_stay_deleted_until_forced_or_the_record_is_removed(tmp_path):
    folder = merchant(tmp_path, "m")
    path = bill(folder, 300)
    run(folder, path)
    full = snapshot(folder / "books")
    month = folder / "books" / "wechat" / "2026" / "2026-01.beancount"
    text = month.read_text(encoding="utf-8")
    cut = text.index("\n2026-01-02 ")
    month.write_text(text[:cut + 1] + text[text.index("\n2026-01-03 ", cut) + 1:], encoding="utf-8")
    edited = snapshot(folder / "books")
    # the statement is recorded as imported: not read, the person's deletion stands
    [again] = run(folder, path)
    assert again.before is not None and snapshot(folder / "books") == edited
    # --force reads it: what the books lack comes back
    run(folder, path, force=True)
    assert snapshot(folder / "books") == full
    # or: remove its coverage record, and the next import reads it (and records it again)
    month.write_text(text[:cut + 1] + text[text.index("\n2026-01-03 ", cut) + 1:], encoding="utf-8")
    last = folder / "books" / "wechat" / "2026" / "2026-03.beancount"
    last_text = last.read_text(encoding="utf-8")
    [record] = records(folder)
    last.write_text(last_text.replace("\n" + record, ""), encoding="utf-8")
    [read] = run(folder, path)
    assert read.before is None and read.new and read.covered
    assert snapshot(folder / "books") == full


def test_an_entry_deleted_by_hand_comes_back_from_another_file_that_holds_its_row(tmp_path):
    # a blind tester (121) read "entries you deleted from it by hand do not come back" as
    # holding for a copy with other line endings and an overlapping later statement too:
    # a file of other bytes is read, and a row whose id the books lack is booked (the
    # README now says so, and how to keep an entry's money out: change it, keeping id:)
    folder = merchant(tmp_path, "m")
    path = bill(folder, 300)
    run(folder, path)
    month = folder / "books" / "wechat" / "2026" / "2026-01.beancount"
    text = month.read_text(encoding="utf-8")
    cut = text.index("\n2026-01-02 ")
    gone = text[cut + 1:text.index("\n2026-01-03 ", cut) + 1]
    entry = gone[:gone.index("\n\n") + 2]   # the first of the day's entries: kept, changed by hand
    changed = entry.replace(" * ", " ! ", 1).replace("Assets:Clearing:WeChat", "Assets:Clearing:Elsewhere", 1)
    month.write_text(text[:cut + 1] + changed + text[text.index("\n2026-01-03 ", cut) + 1:], encoding="utf-8")
    # the same text in other bytes (CRLF) is that statement: imported before, they stay deleted (blind33)
    crlf = path.with_name("tradebill-crlf.csv")
    crlf.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert crlf.read_bytes() != path.read_bytes()
    [again] = run(folder, crlf)
    assert again.before is not None and again.resaved and month.read_text(encoding="utf-8") == text[:cut + 1] + \
        changed + text[text.index("\n2026-01-03 ", cut) + 1:]
    copy = bill(folder, 300, "tradebill-newest-first.csv", keep=lambda lines: lines[::-1])   # other text, its rows
    [again] = run(folder, copy)
    assert again.before is None and again.new   # other text: read, and the deleted rows booked
    after = month.read_text(encoding="utf-8")
    assert gone.replace(entry, changed) in after   # the deleted entries back; the changed one as it was left
    assert after.count(entry.split("\n")[1]) == 1  # (its id, once)


def test_books_whose_records_have_no_digest_read_the_statement_as_before(tmp_path):
    folder = merchant(tmp_path, "m")
    path = bill(folder, 200)
    run(folder, path)
    last = folder / "books" / "wechat" / "2026" / "2026-03.beancount"
    old = re.sub(r'^  digest: "[^"]*"\n', "", last.read_text(encoding="utf-8"), flags=re.M)
    last.write_text(old, encoding="utf-8")   # as books written before the digest was recorded
    before = snapshot(folder / "books")
    [again] = run(folder, path)
    assert again.before is None and not again.new and not again.covered
    assert f"0 entries written, {again.known} already in the books" in again.summary() and again.known >= 200
    assert snapshot(folder / "books") == before   # the old record is left as it is


def test_the_digest_does_not_depend_on_the_order_of_imports(tmp_path):
    books = {}
    for order in ("ab", "ba"):
        folder = merchant(tmp_path, order)
        a = bill(folder, 200, "a.csv", keep=lambda lines: lines[:120])
        b = bill(folder, 200, "b.csv", keep=lambda lines: lines[80:])
        for path in (a, b) if order == "ab" else (b, a):
            run(folder, path)
        run(folder, a, b)   # both recorded: nothing read, nothing written
        books[order] = {p.relative_to(folder): p.read_bytes() for p in sorted((folder / "books").rglob("*.beancount"))}
    assert books["ab"] == books["ba"]
    assert sum(text.count(b"digest:") for text in books["ab"].values()) == 2


def test_a_record_removed_before_the_lock_makes_the_statement_read(tmp_path, monkeypatch):
    """The digests are read without the lock; a write before the lock that removes the
    record makes the import read the statement after all."""
    folder = merchant(tmp_path, "m")
    path = bill(folder, 100)
    run(folder, path)
    full = snapshot(folder / "books")
    [record] = records(folder)
    [last] = [p for p in (folder / "books").rglob("*.beancount") if record in p.read_text(encoding="utf-8")]
    original_route = importing.route_batch

    def meanwhile(*args):
        last.write_text(last.read_text(encoding="utf-8").replace("\n" + record, ""), encoding="utf-8")
        monkeypatch.setattr(importing, "route_batch", original_route)
        return original_route(*args)
    monkeypatch.setattr(importing, "route_batch", meanwhile)
    [again] = run(folder, path)
    assert again.before is None and again.covered and not again.new
    assert snapshot(folder / "books") == full


def test_digests_are_per_source(tmp_path):
    """The digest is looked up in the books of the source the file is identified as."""
    folder = merchant(tmp_path, "m")
    path = bill(folder, 50)
    run(folder, path)
    config = config_mod.load(folder / "config.yaml")
    books = importing.Books(config.books)
    assert list(books.digests("wechat")) and books.digests("ops") == {}


def test_coverage_records_are_found_across_any_chunk_boundary(tmp_path):
    """Books.digests reads month files a few MB at a time: a record cut anywhere by a
    read is found whole, at every chunk size."""
    from beanclear.books import coverage_blocks
    folder = merchant(tmp_path, "m")
    a = bill(folder, 60, "a.csv", keep=lambda lines: lines[:20])
    b = bill(folder, 60, "b.csv", keep=lambda lines: lines[30:])
    run(folder, a)
    run(folder, b)
    whole = [r.encode() for r in records(folder)]
    assert len(whole) == 2
    files = sorted((folder / "books" / "wechat").rglob("*.beancount"))
    for size in (1, 2, 3, 7, 64, 1000, 10**6):
        found = [block for path in files for block in coverage_blocks(path, size)]
        assert found == whole, size


BANK_CSV = ("交易日期,收入金额,支出金额,余额,摘要,对方户名,交易流水号\n"
            "2026-03-05,,8000.00,42000.00,房租,物业公司,0026030500001\n"
            "2026-03-06,,100.00,41900.00,房租,物业公司,0026030600002\n")
BANK_OFX = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:UTF-8
CHARSET:NONE
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>CNY
<BANKACCTFROM><BANKID>102100099996<ACCTID>6222021234567890<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260401<DTEND>20260430
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260405150000<TRNAMT>-8000.00<FITID>2604050001<NAME>物业公司<MEMO>房租</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>33900.00<DTASOF>20260430</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


BANK_CONFIG_OPS = ('  ops:\n    type: csv\n    account: Assets:Bank:Ops\n    currency: CNY\n'
                   '    columns: {date: 交易日期, credit: 收入金额, debit: 支出金额, ref: 交易流水号}\n')


def bank_config(folder, kind: str) -> None:
    columns = ('    date_format: "%Y-%m-%d"\n    columns: {date: 交易日期, credit: 收入金额, debit: 支出金额, '
               'balance: 余额, memo: 摘要, payee: 对方户名, ref: 交易流水号}\n') if kind == "csv" else ""
    (folder / "config.yaml").write_text(f"books: books\ncurrency: CNY\nbanks:\n  icbc:\n    type: {kind}\n"
                                        f"    account: Assets:Bank:ICBC\n    currency: CNY\n{columns}",
                                        encoding="utf-8")


def test_a_statement_recorded_before_its_source_changed_type_is_imported_before(tmp_path, monkeypatch):
    """A bank that moved from CSV to OFX (one source, its `type` changed): the March CSV
    its records hold by digest is "imported before", though no importer of the config
    reads CSV now; the rest of the folder imports (a blind tester's layout switch)."""
    statements = tmp_path / "statements"
    statements.mkdir()
    march, april = statements / "icbc-2026-03.csv", statements / "icbc-2026-04.ofx"
    march.write_text(BANK_CSV, encoding="utf-8")
    april.write_text(BANK_OFX, encoding="utf-8")
    bank_config(tmp_path, "csv")
    run(tmp_path, march)
    bank_config(tmp_path, "ofx")
    run(tmp_path, april)
    before = snapshot(tmp_path / "books")
    not_parsed(monkeypatch)
    results = run(tmp_path, statements)
    assert [r.before is not None for r in results] == [True, True]
    said = results[0].summary()
    assert said.startswith(f"{march}: icbc, imported before (covering 2026-03-05 to 2026-03-06, ") and \
        "no importer of icbc reads it now" in said, said
    assert snapshot(tmp_path / "books") == before
    # another source that reads such CSVs now does not book its money a second time
    config = tmp_path / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + BANK_CONFIG_OPS, encoding="utf-8")
    [again] = run(tmp_path, march)
    assert again.before is not None and again.importer.source.name == "icbc"
    assert not (tmp_path / "books" / "ops").exists()


def test_a_copy_in_other_bytes_is_imported_before_in_either_order(tmp_path):
    """A copy of the same text in other bytes (a BOM) is the statement the books record:
    "imported before", nothing written (before blind33 it wrote its own coverage record:
    the summary said "0 entries written" over a diff). Whichever came first, the books
    are those of the first: the same but the name and digest of that file."""
    books = {}
    for order in ("original first", "copy first"):
        folder = merchant(tmp_path, order.replace(" ", "_"))
        path = bill(folder, 50)
        copy = path.with_name("tradebill (BOM).csv")
        copy.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        first, second = (path, copy) if order == "original first" else (copy, path)
        run(folder, first)
        before = snapshot(folder / "books")
        [again] = run(folder, second)
        assert again.before is not None and again.resaved and not len(again.new) and not again.covered
        assert again.summary().startswith(f"{second}: wechat (wechat trade bill), nothing new: the same text as "
                                          f"{first.name} in other bytes (its line ends, BOM, encoding or NULs "
                                          "aside), imported before (covering 2026-01-01 to ")
        assert snapshot(folder / "books") == before
        books[order] = before
    assert books["original first"] != books["copy first"]
    assert unnamed(books["original first"]) == unnamed(books["copy first"])


def test_an_overlapping_statement_whose_lines_the_books_hold_writes_its_record_and_says_so(tmp_path):
    """Must not: a statement of other text (a part of one the books hold) is no copy, though
    it adds no line. Its record is written, the days it covers count, and its digest makes
    the next import of it "imported before"; its summary counts the record ("0 entries
    written" alone said nothing of it)."""
    folder = merchant(tmp_path, "m")
    run(folder, bill(folder, 200))
    part = bill(folder, 200, "part.csv", keep=lambda lines: lines[:60])
    before = records(folder)
    [again] = run(folder, part)
    assert again.before is None and not len(again.new) and len(again.covered) == 1
    added = [r for r in records(folder) if r not in before]
    assert len(added) == 1 and '  statement: "part.csv"\n' in added[0]
    first, last = again.covered[0].values[1].value, again.covered[0].date
    assert (f"0 entries written, {again.known} already in the books; its coverage record written ({first} to "
            f"{last}: the days it covers, and its digest, so that it is not read again)") in again.summary()
    [third] = run(folder, part)
    assert third.before is not None and not third.resaved


# blind33 hostile: the same statement saved again (CRLF, a BOM: Excel does it; GBK, UTF-16,
# a NUL in a cell) and imported under another name said "0 entries written" while the books
# gained its coverage record and, its name sorting first, the opening was renamed after it.
# Its text is the statement's (coverage.text_digest): imported before, nothing written.

OPS_CONFIG = """\
books: books
currency: CNY
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: CNY
    encoding: utf-8
    date_format: "%Y-%m-%d"
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
"""
OPS = ("交易日期,交易流水号,摘要,对方户名,交易金额,余额\n"
       "2026-11-02,OPS1,11月房租,某某物业,-800.00,19200.00\n"
       "2026-11-03,OPS2,电费,国家电网,-100.00,19100.00\n")
RESAVED = {"crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
           "bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
           "excel": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
           "gbk": lambda text: text.encode("gb18030"),          # (config.yaml says utf-8: it would be refused)
           "utf-16": lambda text: text.encode("utf-16"),
           "nul": lambda text: text.replace("电费", "电\x00费").encode("utf-8")}


def ops_merchant(tmp_path, name: str = "m"):
    folder = tmp_path / name
    (folder / "statements").mkdir(parents=True)
    (folder / "config.yaml").write_text(OPS_CONFIG, encoding="utf-8")
    original = folder / "statements" / "ops.csv"
    original.write_text(OPS, encoding="utf-8")
    return folder, original


def unnamed(books: dict) -> dict:
    """The books without the names and digests of the files the statements came in."""
    lines = re.compile(rb'^  (statement|digest|text): "[^"]*"\n', re.M)
    strip = re.compile(rb'("[0-9a-f]{12}"|\b[0-9a-f]{12}"|from [^"]*")')
    return {path: strip.sub(b"", lines.sub(b"", text)) for path, text in books.items()}


@pytest.mark.parametrize("how", sorted(RESAVED))
def test_a_copy_saved_again_under_a_name_sorting_first_adds_nothing(tmp_path, how):
    folder, original = ops_merchant(tmp_path)
    run(folder, original)
    before = snapshot(folder / "books")
    copy = original.with_name("a-ops-resaved.csv")
    copy.write_bytes(RESAVED[how](OPS))
    [again] = run(folder, copy)
    assert again.summary() == (
        f"{copy}: ops (bank csv), nothing new: the same text as ops.csv in other bytes (its line ends, BOM, "
        "encoding or NULs aside), imported before (covering 2026-11-02 to 2026-11-03, recorded in "
        "books/ops/2026/2026-11.beancount), not read again: 0 entries written (to read it again: --force, or "
        "remove its coverage record)")
    assert snapshot(folder / "books") == before   # no record, no opening renamed after it


def test_the_original_after_its_copy_is_imported_before_too(tmp_path):
    """Either order: the second file adds nothing; the books differ only in the name and
    digest of the file the statement came in first."""
    books = {}
    for order in ("original first", "copy first"):
        folder, original = ops_merchant(tmp_path, order.replace(" ", "_"))
        copy = original.with_name("a-ops-resaved.csv")
        copy.write_bytes(RESAVED["excel"](OPS))
        first, second = (original, copy) if order == "original first" else (copy, original)
        run(folder, first)
        before = snapshot(folder / "books")
        [again] = run(folder, second)
        assert f"nothing new: the same text as {first.name} in other bytes" in again.summary()
        assert snapshot(folder / "books") == before
        books[order] = before
    assert books["copy first"]["accounts.beancount"] != books["original first"]["accounts.beancount"]
    assert unnamed(books["original first"]) == unnamed(books["copy first"])


def test_a_copy_in_the_same_import_is_the_statement_read_before_it(tmp_path):
    """Both in one import: the first read books the statement and is recorded (in a
    folder, by name); the other adds nothing, as it would in an import of its own after."""
    for given in ("folder", "copy last"):
        folder, original = ops_merchant(tmp_path, given.replace(" ", "_"))
        copy = original.with_name("a-ops-resaved.csv")
        copy.write_bytes(RESAVED["bom"](OPS))
        first, second = run(folder, folder / "statements") if given == "folder" else run(folder, original, copy)
        assert first.new and len(first.covered) == 1 and second.before is not None and second.twin
        assert second.summary() == (f"{second.path}: ops (bank csv), nothing new: the same text as "
                                    f"{first.path.name} in other bytes (its line ends, BOM, encoding or NULs "
                                    "aside), read before it in this import: not read again, 0 entries written")
        [record] = records(folder)
        assert f'  statement: "{first.path.name}"\n' in record
        accounts = (folder / "books" / "accounts.beancount").read_text(encoding="utf-8")
        assert f'from {first.path.name}"' in accounts
        [again] = run(folder, second.path)   # and in an import of its own
        assert again.before is not None and again.resaved


def test_the_same_text_in_other_bytes_is_recorded_by_its_text_where_that_differs(tmp_path):
    """A record names a file by the digest of its bytes and, where its text's is another
    (CRLF, a BOM, GBK), by that too (`text:`): the plain original after it is known by it.
    A plain UTF-8 file's record holds its digest alone (its text is its bytes)."""
    from beanclear.statements.coverage import file_digest, text_digest
    folder, original = ops_merchant(tmp_path)
    copy = original.with_name("ops (Excel).csv")
    copy.write_bytes(RESAVED["excel"](OPS))
    assert text_digest(copy) == text_digest(original) == file_digest(original) != file_digest(copy)
    run(folder, copy)
    [record] = records(folder)
    assert f'  digest: "{file_digest(copy)}"\n  text: "{file_digest(original)}"\n' in record
    plain, _ = ops_merchant(tmp_path, "plain")
    run(plain, plain / "statements" / "ops.csv")
    assert "  text: " not in records(plain)[0]


def test_must_not_another_text_of_the_same_rows_is_read_and_recorded(tmp_path):
    """Must not: a copy that says it otherwise (Excel's `-800` for `-800.00`: other text,
    the same rows) is read; it adds no entry but its coverage record, which its summary
    counts (the books' names of the opening: the statement sorting first, as ever)."""
    folder, original = ops_merchant(tmp_path)
    run(folder, original)
    copy = original.with_name("a-ops-excel.csv")
    copy.write_text(OPS.replace("-800.00", "-800").replace("-100.00", "-100"), encoding="utf-8")
    [again] = run(folder, copy)
    assert again.before is None and not len(again.new) and len(again.covered) == 1
    line = again.summary()
    assert "0 entries written, 2 already in the books; balance assertions: 0 written, 2 already in the books; " \
           "its coverage record written (2026-11-02 to 2026-11-03: the days it covers, and its digest, so that it " \
           "is not read again); note: the opening balance of Assets:Bank:Ops in CNY now names a-ops-excel.csv " \
           "(was ops.csv)" in line, line


def test_must_not_two_quiet_days_bills_of_one_text_are_two_statements(tmp_path):
    """Must not: bills `beanclear fetch` archived say their day in their names only
    (`fundflow-2026-03-30.csv`): two quiet days' bills are one text (and one bytes), two
    days, each recorded, in one import or in two (in two, the second was "imported before"
    as the first, its day left uncovered)."""
    from test_periods import wechat_bill
    from test_statement_coverage import WECHAT
    for apart in (False, True):
        folder = tmp_path / f"apart-{apart}"
        folder.mkdir()
        (folder / "config.yaml").write_text(WECHAT, encoding="utf-8")
        wechat_bill(folder / "st", "fundflow-2026-03-29.csv", 100, [29])
        wechat_bill(folder / "st", "fundflow-2026-03-30.csv", 0, [])
        wechat_bill(folder / "st", "fundflow-2026-03-31.csv", 0, [])
        days = [folder / "st" / f"fundflow-2026-03-{day}.csv" for day in (29, 30, 31)]
        assert days[1].read_bytes() == days[2].read_bytes()
        results = [r for path in days for r in run(folder, path)] if apart else run(folder, folder / "st")
        assert [r.before for r in results] == [None, None, None], [r.summary() for r in results]
        covered = sorted(re.findall(r'"wechat" (2026-03-\d\d) ', "".join(records(folder))))
        assert covered == ["2026-03-29", "2026-03-30", "2026-03-31"], records(folder)
        [again] = run(folder, days[2])   # and then it is imported before, as itself
        assert again.before is not None and again.before.statement == days[2].name
