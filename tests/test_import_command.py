"""`beanclear import`: idempotent, deterministic, atomic, keeps people's edits, and
refuses bad input with `file:line: what` and exit 2, leaving the books untouched."""

from __future__ import annotations

import codecs
import datetime as dt
import os
import shutil

import pytest

from beanclear.books import atomic
from conftest import BANK_HEADER, FUND, TRADE, WECHAT_AND_BANK, bank_file, beanclear, sample, snapshot

def test_import_writes_books_and_one_summary_line_per_file(merchant):
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 3
    assert "bank.csv: ops (bank csv), 2 rows read, 2 entries written, 0 already in the books; balance assertions: " \
        "2 written" in lines[0]
    assert f"{FUND}: wechat (wechat fund bill), 2 rows read, 2 entries written, 0 already in the books; " \
        "balance assertions: 1 written" in lines[1]
    assert f"{TRADE}: wechat (wechat trade bill), 3 rows read, 3 entries written" in lines[2]
    books = merchant / "books"
    assert (books / "wechat" / "2021" / "2021-01.beancount").exists()
    main = (books / "main.beancount").read_text()
    assert 'plugin "beanclear.plugins.checks" "../config.yaml"' in main
    assert main.index('include "ops/') < main.index('include "wechat/')
    assert "2000-01-01 open Assets:Clearing:WeChat" in (books / "accounts.beancount").read_text()


def test_import_twice_adds_nothing(merchant):
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    before = snapshot(merchant / "books")
    again = beanclear(merchant, "import", str(merchant / "statements"))
    assert again.exit_code == 0
    # recorded by the digest of their bytes: not read again
    assert again.output.count("imported before (covering ") == 3 and again.output.count(" 0 entries written") == 3
    assert snapshot(merchant / "books") == before
    forced = beanclear(merchant, "import", "--force", str(merchant / "statements"))  # read again, row by row
    assert forced.exit_code == 0 and "imported before" not in forced.output
    assert "0 entries written, 3 already in the books" in forced.output
    assert snapshot(merchant / "books") == before


def test_overlapping_statement_adds_only_new_lines(merchant):
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    overlap = bank_file(merchant, "overlap.csv", rows=(
        "2021-01-31,B002,房租,某某置业,-500.00,500.03", "2021-02-01,B003,电费,国家电网,-20.00,480.03"))
    result = beanclear(merchant, "import", str(overlap))
    assert "1 rows read" not in result.output and ("2 rows read, 1 entries written, 1 already in the books; balance "
                                                  "assertions: 1 written, 1 already in the books") in result.output


def test_order_of_import_does_not_change_the_bytes(merchant, tmp_path_factory):
    files = sorted((merchant / "statements").iterdir())
    assert beanclear(merchant, "import", *map(str, files)).exit_code == 0
    together = snapshot(merchant / "books")
    shutil.rmtree(merchant / "books")
    for path in reversed(files):
        assert beanclear(merchant, "import", str(path)).exit_code == 0
    assert snapshot(merchant / "books") == together


def test_people_edits_are_kept(merchant):
    statements = merchant / "statements"
    assert beanclear(merchant, "import", str(statements / TRADE)).exit_code == 0
    month = merchant / "books" / "wechat" / "2021" / "2021-01.beancount"
    edited = month.read_text().replace('"Order S20210128153505214586 / for testing"',
                                       '"Order S20210128153505214586 / for testing"  ; checked by Li, 2021-02-01')
    edited = "; January, reviewed\n\n" + edited + "2021-01-29 note Assets:Clearing:WeChat \"called WeChat support\"\n"
    month.write_text(edited)
    assert beanclear(merchant, "import", str(statements)).exit_code == 0
    after = month.read_text()
    assert after == edited  # the bank and fund bill entries went to their own files
    assert beanclear(merchant, "import", str(statements)).exit_code == 0
    assert month.read_text() == edited


def test_new_entries_go_between_existing_ones_in_date_order(merchant):
    lines = ["2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03",
             "2021-01-31,B002,房租,某某置业,-500.00,500.03", "2021-01-15,B000,电费,国家电网,-20.00,1000.00"]
    assert beanclear(merchant, "import", str(bank_file(merchant, "a.csv", rows=lines[:2]))).exit_code == 0
    month = merchant / "books" / "ops" / "2021" / "2021-01.beancount"
    before = month.read_text()
    assert beanclear(merchant, "import", str(bank_file(merchant, "b.csv", rows=lines[2:]))).exit_code == 0
    after = month.read_text()
    assert after.endswith(before[before.index("2021-01-30"):])  # older lines untouched, new one inserted above
    assert after.index('"电费"') < after.index('"财付通提现"')


def test_dry_run_prints_and_writes_nothing(merchant):
    result = beanclear(merchant, "import", "--dry-run", str(merchant / "statements" / TRADE))
    assert result.exit_code == 0 and "Income:Sales:WeChat" in result.output
    assert not (merchant / "books").exists() or snapshot(merchant / "books") == {}
    # a blind tester's summary ended "281 entries written" though nothing was
    assert f"{TRADE}: wechat (wechat trade bill), 3 rows read, 3 entries would be written, 0 already in the books" \
        in result.output and "entries written" not in result.output
    bank = beanclear(merchant, "import", "--dry-run", str(merchant / "statements" / "bank.csv"))
    assert "opening balance 1000.00 CNY at the end of 2021-01-29 would be written from it" in bank.output, bank.output
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    again = beanclear(merchant, "import", "--dry-run", str(merchant / "statements"))
    assert again.output.count("not read again: 0 entries would be written") == 3, again.output


def test_source_forces_the_importer(merchant):
    result = beanclear(merchant, "import", "--source", "nope", str(merchant / "statements" / TRADE))
    assert result.exit_code == 2 and "--source nope: no such source" in result.output
    assert beanclear(merchant, "import", "--source", "wechat", str(merchant / "statements" / TRADE)).exit_code == 0


def test_failed_write_half_way_leaves_no_trace(merchant, monkeypatch):
    assert beanclear(merchant, "import", str(merchant / "statements" / TRADE)).exit_code == 0
    before = snapshot(merchant / "books")
    real_replace, calls = atomic.os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # after the journal and one file, the disk "fails"
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code != 0
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert snapshot(merchant / "books") == before


def test_crash_mid_write_is_rolled_back_by_the_next_command(merchant, monkeypatch):
    assert beanclear(merchant, "import", str(merchant / "statements" / TRADE)).exit_code == 0
    before = snapshot(merchant / "books")
    real_replace, calls = atomic.os.replace, []

    def crash(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise SystemExit("killed")  # no rollback in-process for a kill: simulate by skipping cleanup
        return real_replace(src, dst)

    monkeypatch.setattr(atomic, "roll_back", lambda root: None)
    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(SystemExit):
        from beanclear import config
        from beanclear.books import importing
        importing.run(config.load(merchant / "config.yaml"), [merchant / "statements"])
    monkeypatch.undo()
    assert (merchant / "books" / atomic.JOURNAL).exists()
    from beanclear import config
    with atomic.locked(config.load(merchant / "config.yaml").books):
        pass
    assert snapshot(merchant / "books") == before


def test_the_books_lock_waits_for_a_reader_and_says_a_reader_holds_it(tmp_path, monkeypatch):
    """blind6: an import gave up at once while `check` read the books ("another beanclear
    command is writing these books"): six days of a routine's imports lost. A write waits
    for the reader (WAIT, minutes), says once that it waits and for what; past the wait,
    BooksBusy says a reading command holds the books."""
    import threading
    root = tmp_path / "books"
    root.mkdir()
    reading, done, waiting = threading.Event(), threading.Event(), threading.Event()
    said, wrote = [], []

    def reader():
        with atomic.reading(root):
            reading.set()
            done.wait(60)

    def writer():
        with atomic.locked(root, notice=lambda line: (said.append(line), waiting.set())):
            wrote.append(True)
    threads = [threading.Thread(target=reader), threading.Thread(target=writer)]
    threads[0].start()
    assert reading.wait(60)
    threads[1].start()
    assert waiting.wait(60)
    assert not wrote and said == [f"{root}: another beanclear command is reading these books (check, report…); "
                                  f"waiting for it (up to {atomic.WAIT:.0f} s)"]
    done.set()
    for thread in threads:
        thread.join(60)
    assert wrote == [True]
    with atomic.reading(root):
        with pytest.raises(atomic.BooksBusy, match="another beanclear command is reading these books"):
            with atomic.locked(root, wait=0):
                pass


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(merchant, monkeypatch):
    from beanclear import config
    monkeypatch.setattr(atomic, "WAIT", 0)   # (it waits WAIT seconds first: test_the_books_lock_waits_for_a_reader)
    books = config.load(merchant / "config.yaml").books
    with atomic.locked(books):
        result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 2 and "another beanclear command is writing these books" in result.output


# -- bad input: a clear error, exit 2, books byte-identical ------------------------------

ALL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
    "手续费,费率,订单金额,申请退款金额,费率备注")
ROW = ("`2026-03-01 12:00:00,`wx1,`1601959334,`0,`,`4200000009,`ORD-9,`user,`JSAPI,`SUCCESS,`CFT,`CNY,`50.00,`0.00,"
       "`0,`0,`0.00,`0.00,`,`,`Tea,`,`0.30000,`0.60%,`50.00,`0.00,`")
SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n`1,`50.00,`0.00,`0.00,`0.30000,`50.00,`0.00\n"

def bill_zip() -> bytes:
    """Alipay's bill download as it comes: a ZIP whose member names are GBK bytes without
    the UTF-8 flag, the 汇总 first."""
    import io
    import zipfile

    class GbkName(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):
            return self.filename.encode("gbk"), self.flag_bits
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(GbkName("2088_20190916_业务明细(汇总).csv"), "#支付宝业务汇总查询\n".encode("gbk"))
        zf.writestr(GbkName("2088_20190916_业务明细.csv"), "#支付宝业务明细查询\n".encode("gbk"))
    return out.getvalue()


def workbook(*rows) -> bytes:
    """An XLSX workbook of one sheet holding `rows`."""
    import io

    import openpyxl
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BAD_INPUT = {
    "a damaged workbook": (b"PK\x03\x04" + bytes(range(200)), ":1: cut off or not an XLSX workbook"),
    "cut inside a character": ("\n".join([BANK_HEADER, "2021-01-30,B9,房租,某某,1.00,2.00",
                                          "2021-01-31,B10,电费,国家电网"]).encode()[:-2],
                               ":3: cut off inside a character (the file reads as UTF-8 up to its last bytes)"),
    "two bad bytes mid-file": ("\n".join([BANK_HEADER] + [f"2021-01-{d:02d},B{d},房租押金退还,上海某某置业有限公司,1.00,2.00"
                                                           for d in range(1, 9)]).encode("gbk").replace(
                                   "押".encode("gbk"), b"\x81\x20", 1),
                               ":2: bytes not valid GB18030 text here (the rest of the file reads as GB18030)"),
    # blind8: a row pasted from a GBK export into a UTF-8 bill was `:1: cannot decode the file`
    "a line of another encoding": ((ALL_HEADER + "\n" + ROW + "\n").encode()
                                   + ROW.replace("Tea", "龙井茶叶").replace("4200000009", "4200000010").encode("gbk")
                                   + ("\n" + SUMMARY).encode(),
                                   ":3: bytes not valid UTF-8 text here (the rest of the file reads as UTF-8)"),
    "empty": (b"", ":1: the file is empty"),
    "a zipped bill download": (bill_zip(), ":1: a ZIP archive, not a statement: unzip it and import the statement "
                               "inside (it holds 2088_20190916_业务明细(汇总).csv, 2088_20190916_业务明细.csv;"),
    "header only (wechat)": (ALL_HEADER.encode(), ":1: no summary line starting with 总交易单数"),
    "cut off mid-row": ((ALL_HEADER + "\n" + ROW[:60] + "\n").encode(), ":2: expected 27 cells as in the header"),
    "cut off inside quotes": ((BANK_HEADER + '\n2021-01-30,B9,"unfinished memo\n').encode(), ":2: a quoted cell is never closed"),
    # without a BOM: UTF-16 whose BOM says so is read as that (test_a_bom_says_the_encoding_whatever_is_configured)
    "wrong encoding": ("\n".join([BANK_HEADER, "2021-01-30,B9,房租,某某,1.00,2.00"]).encode("utf-16-be"),
                       ":1: cannot decode the file as UTF-8, GB18030 or CP1252 text"),
    # blind33: a column named twice was read by its first cell, the second (-8000.00) never looked at
    "a column named twice": ("\n".join([BANK_HEADER + ",交易金额", "2021-01-30,B9,房租,某某,-800.00,2.00,-8000.00"]).encode(),
                             ":1: column 交易金额 given twice (cells 5 and 7): which one is meant cannot be known"),
    # blind33: two bills pasted into one file were "a row of another account's statement"
    "the header again mid-file (wechat)": (("\n".join([ALL_HEADER, ROW, ALL_HEADER, ROW.replace("4200000009", "4200000010")])
                                            + "\n" + SUMMARY).encode(),
                                           ":3: the header again (as on line 1): two files joined into one?"),
    "the header again mid-file (bank)": ("\n".join([BANK_HEADER, "2021-01-30,B9,房租,某某,1.00,2.00", BANK_HEADER,
                                                     "2021-01-31,B10,房租,某某,1.00,3.00"]).encode(),
                                         ":3: the header again (as on line 1): two files joined into one?"),
    # blind33: a file of NUL bytes (a disk or sync failure) was "empty"
    "NUL bytes only": (b"\0" * 4096, ":1: the file holds only NUL bytes (4096 of them), no text"),
    "non-numeric amount": ("\n".join([BANK_HEADER, "2021-01-30,B9,房租,某某,abc,2.00"]).encode(),
                           ":2: column 交易金额: expected an amount, got 'abc'"),
    "wrong column count": ("\n".join([BANK_HEADER, "2021-01-30,B9,房租,某某,1.00"]).encode(),
                           ":2: expected 6 cells as in the header (line 1), got 5"),
    "unknown status": ((ALL_HEADER + "\n" + ROW.replace("`SUCCESS", "`ODDITY") + "\n" + SUMMARY).encode(),
                       ":2: column 交易状态: unknown status 'ODDITY'"),
    "unrecognised file": ("date,amount\n2021-01-01,1.00\n".encode(), ":1: no importer recognises this file"),
    "bad date": ("\n".join([BANK_HEADER, "30/01/2021,B9,房租,某某,1.00,2.00"]).encode(),
                 ":2: column 交易日期: expected a date like 2026-03-01, got '30/01/2021'"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_exits_2_names_the_line_and_changes_nothing(merchant, case):
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    before = snapshot(merchant / "books")
    content, message = BAD_INPUT[case]
    bad = merchant / "incoming"
    bad.mkdir()
    # A good statement next to the bad one: it must not be written either.
    bank_file(bad, "good.csv", rows=("2021-02-03,B100,电费,国家电网,-20.00,480.03",))
    (bad / "zbad.csv").write_bytes(content)
    result = beanclear(merchant, "import", str(bad))
    assert result.exit_code == 2, result.output
    assert f"{bad / 'zbad.csv'}{message}" in result.output
    assert "nothing was written" in result.output
    assert snapshot(merchant / "books") == before


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("configured", [None, "utf-8", "gb18030"])
def test_a_bom_says_the_encoding_whatever_is_configured(merchant, encoding, configured):
    """blind33: a WeChat bill saved as UTF-16 with a BOM (Excel's "Unicode text", an
    editor) was refused as "not valid utf-8 text, the encoding config.yaml names" (a bank
    with `encoding: utf-8` claimed a file nothing else could read; a channel has no such
    key). The BOM says exactly what the file is: read as that, it books what the UTF-8
    file books, whatever `encoding:` the bank names."""
    if configured:
        config = merchant / "config.yaml"
        config.write_text(config.read_text().replace("    type: csv\n", f"    type: csv\n    encoding: {configured}\n"))
    trade = merchant / "statements" / TRADE
    bank = merchant / "statements" / "bank.csv"
    for path in (trade, bank):
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))   # (utf-16 and utf-32 write a BOM)
    if encoding == "utf-16-be":
        for path in (trade, bank):
            path.write_bytes(codecs.BOM_UTF16_BE + path.read_bytes())
    result = beanclear(merchant, "import", str(trade), str(bank))
    assert result.exit_code == 0, result.output
    assert f"{TRADE}: wechat (wechat trade bill), 3 rows read, 3 entries written" in result.output
    assert "bank.csv: ops (bank csv), 2 rows read, 2 entries written" in result.output


def test_a_bank_download_of_a_day_without_lines_is_read_saying_so_and_writes_nothing(merchant):
    """blind27 (volume): a bank's daily CSV of a day without lines (its header alone) was
    bad input ("no rows below the header"), and stopped the import of the whole folder of
    daily downloads. It moves no money: read, nothing written, the note says what it may
    be; the files beside it are booked. A statement whose format always has rows or a
    summary (a WeChat bill's header alone) is still refused (BAD_INPUT)."""
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    before = snapshot(merchant / "books")
    daily = merchant / "daily"
    daily.mkdir()
    (daily / "ops-0202.csv").write_text("\n".join(["x", BANK_HEADER]) + "\n", encoding="utf-8")
    result = beanclear(merchant, "import", str(daily))
    assert result.exit_code == 0, result.output
    assert result.output == (f"{daily / 'ops-0202.csv'}: ops (bank csv), 0 rows read, 0 entries written, 0 already "
                             "in the books; note: no rows below the header: nothing to book (a day without lines, or "
                             "a download cut after its header)\n")
    assert snapshot(merchant / "books") == before
    bank_file(daily, "ops-0203.csv", rows=("2021-02-03,B100,电费,国家电网,-20.00,480.03",))
    result = beanclear(merchant, "import", str(daily))
    assert result.exit_code == 0 and "ops-0203.csv: ops (bank csv), 1 rows read, 1 entries written" in result.output


def test_a_workbook_without_a_known_header_says_so_not_that_it_cannot_be_decoded(merchant):
    # a blind tester's t7_nohdr.xlsx was "cannot decode the file as UTF-8 or GB18030 text"
    (merchant / "sheet.xlsx").write_bytes(workbook(("foo", "bar"), (1, 2)))
    result = beanclear(merchant, "import", str(merchant / "sheet.xlsx"))
    assert result.exit_code == 2
    assert (f"{merchant / 'sheet.xlsx'}:1: no importer recognises this workbook: none of its sheets holds the header "
            "of a statement of ops (bank csv), wechat (wechat fund bill), wechat (wechat trade bill) in its first "
            "rows; nothing was written") in result.output


def test_a_file_two_sources_claim_is_refused(merchant):
    config = (merchant / "config.yaml").read_text()
    config = config.replace("rules:", """  ops2:
    type: csv
    account: Assets:Bank:Ops2
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
rules:""")
    (merchant / "config.yaml").write_text(config)
    result = beanclear(merchant, "import", str(merchant / "statements" / "bank.csv"))
    assert result.exit_code == 2
    assert "more than one source claims this file: ops (bank csv), ops2 (bank csv)" in result.output
    assert not (merchant / "books").exists()
    # In a folder named after one of them, it is that one's.
    (merchant / "statements" / "ops2").mkdir()
    shutil.move(merchant / "statements" / "bank.csv", merchant / "statements" / "ops2" / "bank.csv")
    result = beanclear(merchant, "import", str(merchant / "statements" / "ops2"))
    assert result.exit_code == 0 and "bank.csv: ops2 (bank csv)" in result.output, result.output
    # The same bytes again, whatever their name: the source whose books record them (a
    # blind helper's Stripe export, imported with --source, was booked again by the other).
    named = shutil.copy(merchant / "statements" / "ops2" / "bank.csv", merchant / "ops_2021-01.csv")
    result = beanclear(merchant, "import", str(named))
    assert result.exit_code == 0 and "ops_2021-01.csv: ops2 (bank csv)" in result.output, result.output
    # ... another file whose name holds one of their names as a word is that one's.
    named.write_bytes(named.read_bytes() + b"\n")
    result = beanclear(merchant, "import", str(named))
    assert result.exit_code == 0 and "ops_2021-01.csv: ops (bank csv)" in result.output, result.output


def test_a_name_every_claimant_shares_tells_none_apart(merchant):
    # stripe and stripe_us: `stripe` is a word of every Stripe export's name; a blind helper's
    # stripe_usd_… file was booked to stripe, silently
    config = (merchant / "config.yaml").read_text()
    (merchant / "config.yaml").write_text(config.replace("rules:", """  ops_us:
    type: csv
    account: Assets:Bank:OpsUs
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
rules:"""))
    named = shutil.copy(merchant / "statements" / "bank.csv", merchant / "ops_usd_2021-01.csv")
    result = beanclear(merchant, "import", str(named))
    assert result.exit_code == 2 and "more than one source claims this file: ops (bank csv), ops_us (bank csv)" \
        in result.output, result.output
    assert beanclear(merchant, "import", "--source", "ops_us", str(named)).exit_code == 0
    again = beanclear(merchant, "import", str(named))   # its books record it: no second booking under ops
    assert again.exit_code == 0 and "ops_usd_2021-01.csv: ops_us (bank csv)" in again.output, again.output


def test_bad_config_exits_2_naming_the_key(merchant):
    (merchant / "config.yaml").write_text(WECHAT_AND_BANK.replace("settlement_days: 1", "setlement_days: 1"))
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 2
    assert "channels.wechat.setlement_days: unknown key" in result.output


def test_books_written_in_another_timezone_are_refused_by_every_command(merchant):
    # blind8: init wrote the default Asia/Shanghai for a US merchant; set to America/New_York
    # after the first import, re-imports said "imported before" and later ones dated in New
    # York time: 339 lines differed from a rebuild, and no command said so. The books keep
    # the zone they were written in, as they keep the account names (books/renamed.py).
    config = merchant / "config.yaml"
    config.write_text(WECHAT_AND_BANK.replace("books: books\n", "books: books\ntimezone: Asia/Shanghai\n"))
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    main = merchant / "books" / "main.beancount"
    assert '2000-01-01 custom "beanclear-timezone" "Asia/Shanghai"\n' in main.read_text(encoding="utf-8")
    books = snapshot(merchant / "books")
    config.write_text(config.read_text().replace("timezone: Asia/Shanghai", "timezone: America/New_York"))
    line = main.read_text(encoding="utf-8").splitlines().index('2000-01-01 custom "beanclear-timezone" "Asia/Shanghai"') + 1
    for command in (["import", str(merchant / "statements")], ["check"], ["report", "2021-01"], ["match"]):
        said = beanclear(merchant, *command)
        assert said.exit_code == 2, (command, said.output)
        assert said.output.startswith(
            f"beanclear: timezone: America/New_York, but the books were written in Asia/Shanghai ({main}:{line}): "
            "their UTC times are dated in that zone. Set timezone back to Asia/Shanghai, or rebuild the books "
            f"in America/New_York: `rm -rf {merchant / 'books'} && beanclear import -c {config} <your statements>`")
    assert snapshot(merchant / "books") == books
    # books written before they kept their zone are not refused: nothing says what it was
    main.write_text(main.read_text(encoding="utf-8").replace('2000-01-01 custom "beanclear-timezone" "Asia/Shanghai"\n',
                                                             ""), encoding="utf-8")
    assert beanclear(merchant, "check").exit_code in (0, 1)
    # rebuilt, they keep the new one
    shutil.rmtree(merchant / "books")
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    assert '2000-01-01 custom "beanclear-timezone" "America/New_York"\n' in main.read_text(encoding="utf-8")
    assert beanclear(merchant, "check").exit_code in (0, 1)


def test_opening_balance_from_config_makes_the_first_statement_balance(merchant):
    config = (merchant / "config.yaml").read_text().replace(
        "    account: Assets:Bank:Ops\n", "    account: Assets:Bank:Ops\n    opening_balance: {date: 2021-01-29, amount: 1000.00}\n")
    (merchant / "config.yaml").write_text(config)
    assert beanclear(merchant, "import", str(merchant / "statements" / "bank.csv")).exit_code == 0
    accounts = (merchant / "books" / "accounts.beancount").read_text()
    assert "2000-01-01 open Equity:Opening-Balances" in accounts
    assert '2021-01-29 * "Opening balance"' in accounts
    result = beanclear(merchant, "check", "--format", "json")
    assert "Balance failed for 'Assets:Bank:Ops'" not in result.output
    assert beanclear(merchant, "import", str(merchant / "statements" / "bank.csv")).exit_code == 0
    assert (merchant / "books" / "accounts.beancount").read_text() == accounts


def test_progress_is_reported_per_statement(merchant):
    from beanclear import config
    from beanclear.books import importing
    calls = []
    importing.run(config.load(merchant / "config.yaml"), [merchant / "statements" / TRADE],
                  progress=lambda path: (lambda done, total: calls.append((path.name, done, total))))
    assert calls == [(TRADE, 0, 3), (TRADE, 3, 3)]


# -- a statement of a type the config has no source for -------------------------------

@pytest.mark.parametrize("folder, name, config, expected", [
    ("wechat_personal", "deg-wechat-records.csv", WECHAT_AND_BANK,
     "this looks like a wechat personal bill statement (channel type wechat-personal)"),
    ("alipay_personal", "dhr-alipay-full-utf8.csv", "channels:\n  ali:\n    type: alipay\n",
     "this looks like an alipay personal bill statement (channel type alipay-personal)"),
    ("stripe_csv", "hledger-stripe-balance_change_from_activity.csv", "channels:\n  pp:\n    type: paypal\n",
     "this looks like a stripe balance csv statement (channel type stripe)"),
])
def test_a_statement_of_another_type_names_that_type(tmp_path, folder, name, config, expected):
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    shutil.copy(sample(folder, name), tmp_path / name)
    result = beanclear(tmp_path, "import", str(tmp_path / name))
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / name}:1: {expected}" in result.output
    assert ("but the config has no source of that type; add one to config.yaml; "
            "nothing was written") in result.output


def test_a_source_of_that_type_that_does_not_claim_the_file_is_named(tmp_path):
    (tmp_path / "config.yaml").write_text("channels:\n  me:\n    type: wechat-personal\n    account_id: 某人\n")
    shutil.copy(sample("wechat_personal", "deg-wechat-records.csv"), tmp_path / "bill.csv")
    result = beanclear(tmp_path, "import", str(tmp_path / "bill.csv"))
    assert result.exit_code == 2
    assert "(channel type wechat-personal), but source me of that type does not claim it" in result.output


def test_a_source_given_by_option_that_does_not_claim_the_file_is_not_told_to_pass_it(tmp_path):
    # a blind tester passed --source wechat and was told "or pass --source wechat"
    (tmp_path / "config.yaml").write_text("channels:\n  wechat:\n    type: wechat\n    account_id: '1900000000'\n")
    shutil.copy(sample("wechat_merchant", TRADE), tmp_path / "bill.csv")
    result = beanclear(tmp_path, "import", "--source", "wechat", str(tmp_path / "bill.csv"))
    assert result.exit_code == 2
    assert ("(channel type wechat), but source wechat, given by --source, does not claim it: the file does not name "
            "its account_id 1900000000 where a statement of that type names its account (a statement of another "
            "account, or a wrong account_id in config.yaml); the file is of account 1601959334") in result.output
    assert "pass --source" not in result.output


def test_a_file_no_type_reads_is_still_not_recognised(merchant):
    (merchant / "notes.csv").write_text("date,amount\n2021-01-01,1.00\n")
    result = beanclear(merchant, "import", str(merchant / "notes.csv"))
    assert result.exit_code == 2 and ":1: no importer recognises this file (expected a statement of" in result.output


def test_a_bill_whose_header_lacks_a_column_is_said_at_its_header_line(tmp_path):
    # A WeChat bill with 交易单号 renamed: most of the header is there, so the cause is the
    # header, said at its line with what it lacks, not "no importer recognises this file".
    (tmp_path / "config.yaml").write_text("channels:\n  me:\n    type: wechat-personal\n")
    text = sample("wechat_personal", "deg-wechat-records.csv").read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "交易单号" in row)
    (tmp_path / "bill.csv").write_text(text.replace("交易单号", "单号", 1), encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "bill.csv"))
    assert result.exit_code == 2
    assert (f"bill.csv:{line}: no importer recognises this file: this line looks like the header of me "
            "(wechat personal bill) but has no 交易单号 column (expected its header: 交易时间,") in result.output



OPS = """\
books: books
currency: USD
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    currency: USD
    date_format: "%d/%m/%Y"
    columns:
      date: Date
      amount: Amount
      memo: {memo}
      payee: Counterparty
      ref: Reference
      balance: Balance
"""


@pytest.mark.parametrize("memo, header, message", [
    # blind31: "no importer recognises this file (expected a statement of …, ops (bank csv), …)"
    ("Beschreibung", "Date,Amount,Description,Counterparty,Reference,Balance",
     'ops-2026-03.csv:1: banks.ops.columns.memo: no column "Beschreibung" (the header has Date, Amount, '
     'Description, Counterparty, Reference, Balance)'),
    # a German bank's `;`, and two columns named otherwise
    ("Beschreibung", "Date;Amount;Verwendungszweck;Counterparty;Ref;Balance",
     'ops-2026-03.csv:1: banks.ops.columns.memo: no column "Beschreibung", banks.ops.columns.ref: no column '
     '"Reference" (the header has Date, Amount, Verwendungszweck, Counterparty, Ref, Balance)'),
    # the rest of the header far off: the date and amount columns make it the bank's file
    ("Memo", "Date,Amount,A,B,C,D,E,F,G,H",
     'ops-2026-03.csv:1: banks.ops.columns.memo: no column "Memo", banks.ops.columns.payee: no column '
     '"Counterparty", banks.ops.columns.ref: no column "Reference", banks.ops.columns.balance: no column "Balance" '
     '(the header has Date, Amount, A, B, C, D, E, F, …)'),
])
def test_a_csv_bank_file_lacking_a_column_of_its_map_names_the_key(tmp_path, memo, header, message):
    delimiter = ";" if ";" in header else ","
    (tmp_path / "config.yaml").write_text(OPS.format(memo=memo), encoding="utf-8")
    row = delimiter.join(["03/03/2026", "-1500.00", "Office rent", "Landlord", "OPS1", "8500.00"][:2]
                         + ["x"] * (header.count(delimiter) - 1))
    (tmp_path / "ops-2026-03.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "ops-2026-03.csv"))
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    assert not (tmp_path / "books").exists()


def test_a_file_without_a_csv_banks_date_and_amount_is_still_not_recognised(tmp_path):
    # must not fire: a file sharing one or two names with the map is not the bank's
    (tmp_path / "config.yaml").write_text(OPS.format(memo="Description"), encoding="utf-8")
    (tmp_path / "notes.csv").write_text("Date,Total,Description\n03/03/2026,1.00,x\n", encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "notes.csv"))
    assert result.exit_code == 2
    assert "notes.csv:1: no importer recognises this file (expected a statement of ops (bank csv))" in result.output


def test_an_orders_csv_export_lacking_a_column_of_its_map_names_the_key(tmp_path):
    (tmp_path / "config.yaml").write_text(
        "books: books\nshops:\n  web:\n    type: orders-csv\n    columns: {order_id: Order, date: Day, amount: Total, "
        "title: Item, status: State}\n    statuses: {booked: [paid]}\n", encoding="utf-8")
    (tmp_path / "orders.csv").write_text("Order,Day,Sum,Item,State\n1001,2026-03-01,10.00,tea,paid\n",
                                         encoding="utf-8")
    result = beanclear(tmp_path, "import", str(tmp_path / "orders.csv"))
    assert result.exit_code == 2, result.output
    assert ('orders.csv:1: shops.web.columns.amount: no column "Total" (the header has Order, Day, Sum, Item, '
            'State)') in result.output, result.output

def test_a_stripe_payouts_export_says_what_to_export_instead(merchant):
    # A row per payout, not the payments each pays out: no statement of its money.
    (merchant / "payouts.csv").write_text(
        "id,Amount,Currency,Arrival Date (UTC),Created (UTC),Description,Status,Type,Method,Source Type,"
        "Balance Transaction\npo_1Abc,1250.00,usd,2026-03-04 00:00,2026-03-02 01:12,STRIPE PAYOUT,paid,bank_account,"
        "standard,card,txn_1Abc\n", encoding="utf-8")
    before = snapshot(merchant / "books")
    result = beanclear(merchant, "import", str(merchant / "payouts.csv"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (f"{merchant / 'payouts.csv'}:1: this looks like a Stripe payouts export (a row per payout, without the "
            "payments each one pays out), not a statement beanclear reads: export Stripe's balance history") \
        in result.output
    assert snapshot(merchant / "books") == before


def test_a_row_repeated_exactly_is_booked_once_and_said(merchant):
    statement = bank_file(merchant, "twice.csv", rows=("2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03",
                                                       "2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03",
                                                       "2021-01-31,B002,房租,某某置业,-500.00,500.03"))
    result = beanclear(merchant, "import", str(statement))
    assert result.exit_code == 0, result.output
    # listed right after itself, its running balance unchanged: a copy, not read as a line (banking.Copies)
    assert "3 rows read, 2 entries written, 0 already in the books, skipped 1 line listed twice" in result.output
    assert "line 6 lists line 5 again, and the running balance stays at 1000.03 CNY" in result.output
    assert (merchant / "books" / "ops" / "2021" / "2021-01.beancount").read_text().count('id: "B001"') == 1
    # elsewhere in the file, it is the same id and money: booked once by its id (once_per_id)
    shutil.rmtree(merchant / "books")
    statement = bank_file(merchant, "apart.csv", rows=("2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03",
                                                       "2021-01-31,B002,房租,某某置业,-500.00,500.03",
                                                       "2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03"))
    result = beanclear(merchant, "import", str(statement))
    assert result.exit_code == 0, result.output
    assert "1 row(s) repeat an earlier row of the file exactly" in result.output and "listed twice" not in result.output
    assert (merchant / "books" / "ops" / "2021" / "2021-01.beancount").read_text().count('id: "B001"') == 1


def test_one_id_with_two_amounts_in_one_statement_is_refused(merchant):
    statement = bank_file(merchant, "twice.csv", rows=("2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03",
                                                       "2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.04,1000.07"))
    result = beanclear(merchant, "import", str(statement))
    assert result.exit_code == 2
    assert "twice.csv:6: id 'B001' again, as on line 5, but with other amounts" in result.output
    assert not (merchant / "books").exists()


def test_one_id_on_two_orders_with_the_same_money_is_refused(tmp_path):
    # wechatpay-php's tests/fixtures/bill.ALL.csv gives 4200000263201902167700134235 two
    # payments of 0.01 for two orders: folded into one, 0.01 would be lost.
    from test_shop_journey import trade_bill
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: CNY\nchannels:\n  wechat: {type: wechat, "
                                          "settlement_days: 1, fees: [{rate: 0.006}]}\n", encoding="utf-8")
    trade_bill(tmp_path, [("01", "4200000235", "ORD-9", "100.00"), ("01", "4200000235", "ORD-10", "100.00")])
    result = beanclear(tmp_path, "import", str(tmp_path / "wechat_tradebill.csv"))
    assert result.exit_code == 2
    assert ("wechat_tradebill.csv:3: id '4200000235' again, as on line 2, but with another order (ORD-10 against "
            "ORD-9); a statement lists a movement once") in result.output
    assert not (tmp_path / "books").exists()


@pytest.mark.parametrize("ident", ["B  001", "B\u3000001"])
def test_an_id_with_a_run_of_spaces_is_kept_exactly_and_found_again(merchant, ident):
    statement = bank_file(merchant, "odd.csv", rows=(f"2021-01-30,{ident},财付通提现,财付通支付科技有限公司,0.03,1000.03",))
    assert beanclear(merchant, "import", str(statement)).exit_code == 0
    books = snapshot(merchant / "books")
    again = beanclear(merchant, "import", "--force", str(statement))  # read again: its id is found
    assert again.exit_code == 0 and "1 rows read, 0 entries written" in again.output
    assert snapshot(merchant / "books") == books
    assert f'id: "{ident}"' in (merchant / "books" / "ops" / "2021" / "2021-01.beancount").read_text()


def test_an_id_the_books_cannot_hold_exactly_is_refused(tmp_path):
    from decimal import Decimal
    from beanclear.books.importing import FileResult, once_per_id
    from beanclear.importers.base import Extraction, posting, transaction
    from beanclear.importers.toolkit import StatementError
    entry = transaction("s.json", 7, dt.date(2026, 3, 1), None, "x", {"id": "B\n001"},
                        [posting("Assets:Bank:Ops", Decimal("1.00"), "CNY"), posting("Assets:Suspense", Decimal("-1.00"), "CNY")])
    result = FileResult(tmp_path / "s.json", None, Extraction(entries=[entry]))
    with pytest.raises(StatementError, match=r"s.json:7: id 'B\\n001' holds a line break or control character"):
        once_per_id(result)


@pytest.mark.parametrize("code, words", [("EACCES", "Permission denied"), ("ENOSPC", "No space left on device"),
                                           ("EROFS", "Read-only file system")])
def test_a_disk_that_refuses_the_write_is_exit_2_and_the_books_stay(merchant, monkeypatch, code, words):
    import errno
    assert beanclear(merchant, "import", str(merchant / "statements" / TRADE)).exit_code == 0
    before = snapshot(merchant / "books")

    def refused(path, text, line_end="\n"):
        raise OSError(getattr(errno, code), words, str(path))
    monkeypatch.setattr(atomic, "_write_durably", refused)
    result = beanclear(merchant, "import", str(merchant / "statements"))
    assert result.exit_code == 2 and f"{words}; the books are as they were" in result.output
    monkeypatch.undo()
    assert snapshot(merchant / "books") == before


@pytest.mark.parametrize("saved, command", [
    ("ops/2021/2021-01.beancount", ("import",)),      # the writer reads the month file it adds to
    ("wechat/2021/2021-02.beancount", ("import",)),   # another source's: an import reads it too (blind8)
    ("acks.beancount", ("ack", "statement-gap", "B001", "--reason", "fine")),
])
def test_a_books_file_saved_as_gbk_is_exit_2_at_its_line_and_the_books_stay(merchant, saved, command):
    assert beanclear(merchant, "import", str(merchant / "statements" / "bank.csv"),
                     str(merchant / "statements" / FUND)).exit_code == 0
    path = merchant / "books" / saved
    text = "; 付款 by hand\n" + path.read_text(encoding="utf-8")   # a person's editor saved it as GBK
    path.write_bytes(text.encode("gbk", errors="replace"))
    before = snapshot(merchant / "books")
    statement = bank_file(merchant, "late.csv", rows=("2021-02-03,B100,电费,国家电网,-20.00,480.03",))
    args = (*command, str(statement)) if command == ("import",) else command
    result = beanclear(merchant, *args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert (f"books/{saved}:1: not UTF-8 text (byte 0xb8 at column 3: saved in another encoding, GBK or "
            "Latin-1?); save it as UTF-8 and run the command again; the books are as they were") in result.output
    assert snapshot(merchant / "books") == before


def test_a_statement_whose_name_is_not_utf8_is_imported_its_bytes_escaped_in_the_books(merchant):
    # blind8: a GBK name (工行) on a share mounted from Chinese Windows: the write failed with
    # "surrogates not allowed" and a traceback
    name = os.fsdecode(b"ops-\xb9\xa4\xd0\xd0.csv")
    statement = bank_file(merchant, name)
    result = beanclear(merchant, "import", str(statement))
    assert result.exit_code == 0, (result.output, result.exception)
    assert "/ops-\\xb9\\xa4\\xd0\\xd0.csv: ops (bank csv), 2 rows read" in result.output
    month = (merchant / "books" / "ops" / "2021" / "2021-01.beancount").read_text(encoding="utf-8")
    assert '  statement: "ops-\\\\xb9\\\\xa4\\\\xd0\\\\xd0.csv"\n' in month
    assert 'from ops-\\\\xb9\\\\xa4\\\\xd0\\\\xd0.csv"' in (merchant / "books" / "accounts.beancount").read_text()
    before = snapshot(merchant / "books")
    again = beanclear(merchant, "import", str(statement))
    assert again.exit_code == 0 and "imported before (covering" in again.output   # by its digest, under its own name
    assert beanclear(merchant, "import", "--force", str(statement)).exit_code == 0
    assert snapshot(merchant / "books") == before
    assert beanclear(merchant, "check").exit_code == 0


def test_a_device_or_a_pipe_is_not_a_regular_file_not_missing(merchant):
    # blind8: /dev/null and a FIFO were "no such file or folder", though they exist
    fifo = merchant / "pipe.csv"
    os.mkfifo(fifo)
    for path in ("/dev/null", str(fifo)):
        result = beanclear(merchant, "import", path)
        assert result.exit_code == 2, result.output
        assert (f"{path}:1: not a regular file (a device, a pipe or a socket): expected a statement file or a "
                "folder of them; nothing was written") in result.output
    assert not (merchant / "books").exists()


def test_a_folder_without_a_statement_is_said_not_passed_over(merchant):
    # blind8: an empty folder, or a folder named fake.csv, printed nothing
    (merchant / "empty").mkdir()
    (merchant / "fake.csv").mkdir()
    (merchant / "fake.csv" / ".hidden.csv").write_text("x\n", encoding="utf-8")
    result = beanclear(merchant, "import", str(merchant / "empty"), str(merchant / "fake.csv"),
                       str(merchant / "statements" / "bank.csv"))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[1:] == [f"{merchant / name}: a folder without a statement in it (hidden files aside): nothing to "
                         "import" for name in ("empty", "fake.csv")]
    result = beanclear(merchant, "import", str(merchant / "statements"))   # a folder of statements: said for each
    assert result.exit_code == 0 and "a folder without a statement" not in result.output


def test_a_config_path_with_two_spaces_is_kept_in_the_plugin_lines(tmp_path):
    folder = tmp_path / "my  shop"
    folder.mkdir()
    (folder / "config.yaml").write_text("books: ../books\ncurrency: CNY\n", encoding="utf-8")
    from beanclear.books import Books
    from beanclear.config import load
    main = Books(tmp_path / "books").skeleton(load(folder / "config.yaml"))[tmp_path / "books" / "main.beancount"]
    assert 'plugin "beanclear.plugins.checks" "../my  shop/config.yaml"' in main


def test_two_stripe_accounts_of_different_currencies_each_take_the_files_of_theirs(tmp_path):
    # a blind helper's Stripe accounts in USD and EUR: a file named as Stripe names every
    # export was refused as claimed by both, though its rows said `usd`
    (tmp_path / "config.yaml").write_text("channels:\n  stripe: {type: stripe, currency: USD}\n"
                                          "  stripe_eu: {type: stripe, currency: EUR}\n", encoding="utf-8")
    usd = shutil.copy(sample("stripe_csv", "hledger-stripe-balance_change_from_activity.csv"),
                      tmp_path / "balance_change_from_activity.csv")
    result = beanclear(tmp_path, "import", str(usd))
    assert result.exit_code == 0 and "balance_change_from_activity.csv: stripe (" in result.output, result.output
    eur = tmp_path / "balance_change_from_activity_eu.csv"
    eur.write_text(usd.read_text(encoding="utf-8").replace('"usd"', '"eur"'), encoding="utf-8")
    result = beanclear(tmp_path, "import", str(eur))
    assert result.exit_code == 0 and "balance_change_from_activity_eu.csv: stripe_eu (" in result.output, result.output
