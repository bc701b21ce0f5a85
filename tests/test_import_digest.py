"""A statement the books record by the digest of its bytes (its coverage record's
`digest:`) is not read again: the summary says when it was imported and nothing is
written. Another name with the same bytes is the same statement; other bytes are read
as ever; `--force` reads it; books whose records have no digest read it as before."""

from __future__ import annotations

import hashlib
import re
import shutil

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
    copy = path.with_name("tradebill-crlf.csv")
    copy.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert copy.read_bytes() != path.read_bytes()
    [again] = run(folder, copy)
    assert again.before is None and again.new   # other bytes: read, and the deleted rows booked
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


def test_a_copy_in_other_bytes_writes_only_its_coverage_record_then_is_imported_before(tmp_path):
    """A re-encoded (or overlapping) copy adds no entry, but its coverage record: its days
    and its digest, so that the next import of it is not read (README, "Re-importing a
    statement"). Whichever came first, the books are the same."""
    books = {}
    for order in ("original first", "copy first"):
        folder = merchant(tmp_path, order.replace(" ", "_"))
        path = bill(folder, 50)
        copy = path.with_name("tradebill (BOM).csv")
        copy.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        first, second = (path, copy) if order == "original first" else (copy, path)
        run(folder, first)
        before = records(folder)
        [again] = run(folder, second)
        assert not [e for e in again.new if hasattr(e, "postings")] and len(again.covered) == 1
        added = [r for r in records(folder) if r not in before]
        assert len(added) == 1 and f'  statement: "{second.name}"\n' in added[0]
        [third] = run(folder, second)
        assert third.before is not None
        books[order] = snapshot(folder / "books")
    assert books["original first"] == books["copy first"]
