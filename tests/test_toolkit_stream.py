"""A large statement read as a stream of lines (read_statement(stream=True)) gives the
rows, header, summary, footer and errors that reading it whole gives, whatever its line
ends, encoding, BOM or control characters, wherever the chunks it is decoded in end."""

from __future__ import annotations

import pytest

from beanclear.importers.toolkit import StatementError, read_statement, text
from beanclear.importers.toolkit.tables import StreamedRows

HEAD = "交易时间,微信订单号,金额\n"
ROWS = "`2026-01-01 08:00:00,`42001,`1.00\n`2026-01-01 09:00:00,`42002,`2.50\n"
SUMMARY = "总交易单数,总金额\n`2,`3.50\n"

FILES = {
    "plain": HEAD + ROWS + SUMMARY,
    "crlf": (HEAD + ROWS + SUMMARY).replace("\n", "\r\n"),
    "cr": (HEAD + ROWS + SUMMARY).replace("\n", "\r"),
    "bom": "\ufeff\ufeff" + HEAD + ROWS + SUMMARY,
    "control between cr and lf": (HEAD + ROWS).replace("\n", "\r\x00\n") + SUMMARY,
    "controls in cells": HEAD + ROWS.replace("42001", "42\x0001\x7f") + SUMMARY,
    "quoted line break": HEAD + '`2026-01-01 10:00:00,"`420\n03",`1.00\n' + ROWS + SUMMARY,
    "blank rows": HEAD + "\n,,\n" + ROWS + "\n" + SUMMARY + "\n,\n",
    "short row": HEAD + "`2026-01-01 08:00:00,`42001\n" + ROWS + SUMMARY,
    "preamble": "微信支付账单\n起始时间：2026-01-01\n\n" + HEAD + ROWS + SUMMARY,
    "no summary": HEAD + ROWS,
    "rows after summary": HEAD + ROWS + SUMMARY + "x,y\n",
    "summary without values": HEAD + ROWS + "总交易单数,总金额\n\n",
    "no header": "a,b\n1,2\n",
    "wide row then open quote": HEAD + "`2026,`1,`2,`3\n" + ROWS + '"open\n' + SUMMARY,
    "open quote": HEAD + ROWS + SUMMARY + '"open\n',
    "no rows": HEAD + SUMMARY.replace("`2,", "`0,"),
    "empty": HEAD,
}


def read(path, stream, **options):
    try:
        st = read_statement(path, ("交易时间", "微信订单号"), "test bill", stream=stream, **options)
        rows = [(r.line, r.cells) for r in st.table.rows]   # streamed: the summary and footer are read with them
        return (st.table.header, st.table.header_line, rows, st.summary, st.summary_line,
                [(r.line, r.cells) for r in st.footer], [(r.line, r.cells) for r in st.preamble])
    except StatementError as exc:
        return str(exc)


@pytest.mark.parametrize("chunk", [1, 3, 7, 4096])
@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_streamed_as_whole(tmp_path, monkeypatch, name, chunk, encoding):
    path = tmp_path / "bill.csv"
    content = FILES[name]
    if encoding == "gb18030":
        content = content.replace("\ufeff", "")
    path.write_bytes(content.encode(encoding))
    whole = read(path, False, summary_starts="总交易单数", summary_required=name != "no summary")
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    assert text.text_stream(path) is not None or name == "empty"
    streamed = read(path, True, summary_starts="总交易单数", summary_required=name != "no summary")
    assert streamed == whole


LATIN = {   # a Western merchant's CSV saved by Excel in Windows-1252 (PayPal, Stripe)
    "accents before letters": "Date,Name\n2026-03-02,Hans Müller\n2026-03-03,Renée Blanc\n",  # valid GBK: 黮
    "an accent before a quote": 'Date,Name\n2026-03-02,"José"\n2026-03-03,Crème\n',          # no GBK
    "accents after an ASCII head": "Date,Name\n" + "2026-03-01,Smith\n" * 40 + "2026-03-02,Müller\n",
    "GBK cut inside a character": "交易时间,交易对方\n2026-01-01,张三\n",
}


@pytest.mark.parametrize("chunk", [1, 3, 7, 4096])
@pytest.mark.parametrize("name", list(LATIN))
def test_windows_1252_streamed_as_whole(tmp_path, monkeypatch, name, chunk):
    """The encoding a stream chooses is the one read_text() chooses, wherever the chunks
    end (a run of accented letters cut in two is one run)."""
    path = tmp_path / "Download.CSV"
    data = LATIN[name].encode("gbk")[:-4] if name.startswith("GBK") else LATIN[name].encode("cp1252")
    path.write_bytes(data)
    try:
        whole = text.read_text(path)
    except StatementError as exc:
        whole = str(exc)
    assert whole == (str(path) + ":2: cut off inside a character (the file reads as GB18030 up to its last "
                     "bytes): is the file complete? download or copy it again" if name.startswith("GBK") else LATIN[name])
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    try:
        streamed = "".join(text.text_stream(path)())
    except StatementError as exc:
        streamed = str(exc)
    assert streamed == whole


@pytest.mark.parametrize("chunk", [2, 4096])
def test_footer_streamed_as_whole(tmp_path, monkeypatch, chunk):
    path = tmp_path / "bill.csv"
    path.write_text(HEAD + ROWS + "#-----\n#合计,3.50\n\n#导出时间\n", encoding="utf-8")
    whole = read(path, False, footer="^#")
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    assert read(path, True, footer="^#") == whole


def test_rows_are_read_once_and_again_not_held(tmp_path, monkeypatch):
    path = tmp_path / "bill.csv"
    path.write_text(HEAD + ROWS + SUMMARY, encoding="utf-8")
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    st = read_statement(path, ("交易时间",), "test bill", summary_starts="总交易单数", stream=True)
    assert isinstance(st.table.rows, StreamedRows) and st.summary == {}   # read as the rows are
    assert st.table.rows.progress() == (path.stat().st_size, path.stat().st_size)   # one chunk
    assert [r.line for r in st.table.rows] == [2, 3] and st.summary["总交易单数"] == "2"
    assert [r.line for r in st.table.rows] == [2, 3]   # a second pass reads the file again
    path.write_text(HEAD + ROWS + ROWS + SUMMARY, encoding="utf-8")
    with pytest.raises(StatementError, match="changed while it was read"):
        list(st.table.rows)


def test_a_file_changed_while_its_one_pass_reads_it_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "bill.csv"
    path.write_text(HEAD + ROWS + SUMMARY, encoding="utf-8")
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    st = read_statement(path, ("交易时间",), "test bill", summary_starts="总交易单数", stream=True)
    path.write_text(HEAD + ROWS.replace("2.50", "9.50") + SUMMARY, encoding="utf-8")   # the same size
    with pytest.raises(StatementError, match="changed while it was read"):
        list(st.table.rows)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbag",   # (a UTF-16 BOM, then an odd byte: cut off) "å¾®ä¿¡æ\x94¯ä»\x98,x\n".encode("utf-8"),
                                     b"   \n\n", "\ufffd,x\n".encode("utf-8")])
def test_what_cannot_be_streamed_is_read_whole(tmp_path, monkeypatch, content):
    """Undecodable, garbled or blank: read_text() says what is wrong, as for a small file."""
    path = tmp_path / "bill.csv"
    path.write_bytes(content)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    assert text.text_stream(path) is None


UNREADABLE = {   # (bytes, the encoding config.yaml names): what read_text() refuses
    "not utf-8, late": ("ab\ncd\n".encode() * 50 + b"\xff\nx\n", "utf-8"),
    "not utf-8 after a BOM": (b"\xef\xbb\xbf" + "ab\ncd\n".encode() * 50 + b"\xff\nx\n", "utf-8-sig"),
    "cut inside a character": ("中文\n".encode() * 40 + "中".encode()[:2], "utf-8"),
    "cut inside a character, sniffed": ("中文\n".encode() * 40 + "中".encode()[:2], None),
    "cut after a BOM, sniffed": (b"\xef\xbb\xbf" + "中文\n".encode() * 40 + "中".encode()[:1], None),
    "gb18030 cut inside a character, sniffed": ("中文\n".encode("gb18030") * 40 + b"\x81", None),
    "two bad bytes mid-file, sniffed": ("中文\n".encode("gb18030") * 40 + b"\x81\x20" + "中文\n".encode("gb18030") * 40
                                        + b"\xff", None),
    "not gb18030": ("中文\n".encode("gb18030") * 40 + b"\x81\x20", "gb18030"),
    "not ascii": (b"abc\n" * 30 + b"\x80", "ascii"),
    "a byte cp1252 leaves out": (b"abc\n" * 30 + b"\x81", "cp1252"),
    "neither utf-8 nor gb18030": (b"abc\n" * 30 + b"\x80\xff", None),
    "U+FFFD on line 3": ("a\nb\n\ufffd\n".encode() + b"ok\n", None),
    "U+FFFD, then not utf-8 (read as gb18030)": ("a\nb\n\ufffd\n".encode() + b"\xff\xff", None),
    "mojibake": ("a\nb\n".encode() + "å¾®ä¿¡\n".encode(), None),
    "blank": (b" \n\t\r\n" * 20, None),
    "a BOM and blanks": (b"\xef\xbb\xbf \n", "utf-8"),
}


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("chunk", [1, 3, 4096])
@pytest.mark.parametrize("name", list(UNREADABLE))
def test_a_large_file_read_text_refuses_is_refused_by_the_stream(tmp_path, monkeypatch, name, chunk, gzipped):
    """Past ERRORS_WHOLE_UP_TO the stream, which has decoded the file through, raises the
    error read_text() raises (its words, its line, the byte it names), never reading the
    file whole for it; below it, it leaves the file to read_text() (None)."""
    import gzip
    data, encoding = UNREADABLE[name]
    path = tmp_path / ("bill.csv.gz" if gzipped else "bill.csv")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    with pytest.raises(StatementError) as whole:
        text.read_text(path, encoding)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    assert text.text_stream(path, encoding) is None
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    monkeypatch.setattr(text, "read_bytes", lambda p: pytest.fail(f"{p} was read whole"))
    with pytest.raises(StatementError) as streamed:
        text.text_stream(path, encoding)
    assert str(streamed.value) == str(whole.value)


@pytest.mark.parametrize("body", ["cut off", "bomb", "trailing garbage"])
def test_a_broken_gzip_of_much_text_is_refused_by_the_stream(tmp_path, monkeypatch, body):
    """byte_chunks' error, raised by the stream as read_bytes would raise it, where the
    file (or the text it has inflated) is past ERRORS_WHOLE_UP_TO: a gzip bomb is not
    inflated whole into memory to say it is one."""
    import gzip
    path = tmp_path / "bill.csv.gz"
    data = gzip.compress((HEAD + ROWS * 2000 + SUMMARY).encode("utf-8"))
    path.write_bytes({"cut off": data[: len(data) // 2], "bomb": data, "trailing garbage": data + b"not gzip"}[body])
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", 4096)
    if body == "bomb":
        monkeypatch.setattr(text, "MAX_BYTES", 50_000)
    with pytest.raises(StatementError) as whole:
        text.read_text(path)
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 20_000)   # the file is smaller, the text inflated larger
    monkeypatch.setattr(text, "read_bytes", lambda p: pytest.fail(f"{p} was read whole"))
    with pytest.raises(StatementError) as streamed:
        text.text_stream(path)
    assert str(streamed.value) == str(whole.value)


def test_a_large_bill_read_text_refuses_says_so_streamed(tmp_path, monkeypatch):
    """Through read_statement(stream=True): the error of a statement that is not text of
    its encoding, without the whole read."""
    path = tmp_path / "bill.csv"
    path.write_bytes((HEAD + ROWS * 50 + SUMMARY).encode("utf-8") + "\ufffd\n".encode())
    whole = read(path, False)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    monkeypatch.setattr(text, "read_bytes", lambda p: pytest.fail(f"{p} was read whole"))
    assert read(path, True) == whole == f"{path}:104: text decodes as utf-8-sig but looks garbled (mojibake); " \
        "re-export the statement, or for a bank's or an orders-csv shop's file, set that source's `encoding:` in " \
        "config.yaml"


# -- which error a file with two faults reports -----------------------------------------
# Streamed, the importer's pass is the read of the rows: an importer's error on a row must
# still give way to an error of the file's shape further on, as when every row was read
# and checked before the importer saw one (test_wechat_trade_faults).

def trade_bill(bad_status: bool, shape: str | None) -> str:
    from conftest import TRADE, sample
    lines = sample("wechat_merchant", TRADE).read_text(encoding="utf-8").splitlines()
    if bad_status:   # line 3: a status the importer does not know
        lines[2] = lines[2].replace("`SUCCESS", "`BOGUS")
    if shape == "wide row":   # line 4: a cell past the header's
        lines[3] += ",`extra"
    elif shape == "open quote":
        lines.append('"never closed')
    elif shape == "cut-off summary":
        lines = lines[:-1]
    return "\n".join(lines) + "\n"


FAULTS = {
    (True, None): "3: column 交易状态: unknown status 'BOGUS'",
    (True, "wide row"): "4: expected 27 cells as in the header (line 1), got 28",
    (True, "open quote"): "7: a quoted cell is never closed",
    (True, "cut-off summary"): "5: summary header without its values",
    (False, "wide row"): "4: expected 27 cells as in the header (line 1), got 28",
}


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("bad_status, shape", list(FAULTS))
def test_wechat_trade_faults(tmp_path, monkeypatch, make_config, streamed, bad_status, shape):
    from beanclear.importers import wechat_trade
    path = tmp_path / "bill.csv"
    path.write_text(trade_bill(bad_status, shape), encoding="utf-8")
    if streamed:
        monkeypatch.setattr(text, "STREAM_FROM", 0)
    importer = wechat_trade.Importer(make_config().channels["wechat"], None)
    for read in (importer.parse, importer.read):
        with pytest.raises(StatementError) as raised:
            read(str(path))
        assert str(raised.value).startswith(f"{path}:{FAULTS[bad_status, shape]}")


def test_progress_of_a_streamed_statement_is_in_bytes_read(tmp_path, monkeypatch, make_config):
    """Its rows are not counted before they are read: progress is of the file's bytes."""
    from beanclear.importers import wechat_trade
    path = tmp_path / "bill.csv"
    path.write_text(trade_bill(False, None), encoding="utf-8")
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", 64)
    importer = wechat_trade.Importer(make_config().channels["wechat"], None)
    calls = []
    importer.on_progress = lambda done, total: calls.append((done, total))
    assert len(importer.parse(str(path)).entries) == 3
    size = path.stat().st_size
    assert calls[0][0] < size and calls[-1] == (size, size) and {t for _, t in calls} == {size}


@pytest.mark.parametrize("chunk", [3, 4096])
@pytest.mark.parametrize("name", ["plain", "crlf", "bom", "quoted line break", "short row", "open quote", "empty"])
def test_a_gzipped_statement_streams_as_it_inflates(tmp_path, monkeypatch, name, chunk):
    """A gzip body (WeChat's bill download can be one) past STREAM_FROM once inflated is
    streamed like any other, never held whole; below it, read whole as before."""
    import gzip
    path = tmp_path / "bill.csv.gz"
    path.write_bytes(gzip.compress(FILES[name].encode("utf-8")))
    whole = read(path, False, summary_starts="总交易单数")
    assert text.text_stream(path) is None   # a few bytes of text: read whole
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    assert text.text_stream(path) is not None
    assert read(path, True, summary_starts="总交易单数") == whole


@pytest.mark.parametrize("body", ["cut off", "bomb", "trailing garbage"])
def test_a_broken_or_too_large_gzip_is_left_to_the_whole_read(tmp_path, monkeypatch, body):
    import gzip
    path = tmp_path / "bill.csv.gz"
    data = gzip.compress((HEAD + ROWS * 2000 + SUMMARY).encode("utf-8"))
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    if body == "cut off":
        data = data[: len(data) // 2]
    elif body == "bomb":
        monkeypatch.setattr(text, "MAX_BYTES", 50_000)
    else:
        data += b"not gzip"
    path.write_bytes(data)
    assert text.text_stream(path) is None
    with pytest.raises(StatementError) as whole:
        read_statement(path, ("交易时间", "微信订单号"), "test bill", stream=True)
    assert "gzip" in str(whole.value) or "larger than" in str(whole.value)
