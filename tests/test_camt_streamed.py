"""CAMT.053 read as a stream (toolkit.XmlParts): each entry booked as it ends in the
file, the statement never held whole; the books and errors are the whole read's, which
the importer falls back to when the stream meets an error or a file it cannot follow."""

from __future__ import annotations

import gzip

import pytest

from beanclear.importers import camt053
from beanclear.importers.toolkit import StatementError, XmlParts, read_bytes, text
from conftest import sample
from golden_util import extraction_text
from test_bank_standards import SAMPLES, cfg, importer  # noqa: F401
from test_bank_traps import camt, ntry


def _whole_refused(monkeypatch):
    def refuse(self, path):
        raise AssertionError(f"{path} was read whole")
    monkeypatch.setattr(camt053.Importer, "_whole", refuse)


@pytest.mark.parametrize("name", SAMPLES["camt053"])
def test_every_sample_streamed_gives_the_whole_reads_books(cfg, monkeypatch, name):
    path = str(sample("camt053", name))
    whole = importer(cfg, "camt053")._whole(path)
    _whole_refused(monkeypatch)
    streamed = importer(cfg, "camt053").parse(path)
    assert extraction_text(streamed) == extraction_text(whole)
    assert (streamed.rows, streamed.skipped, streamed.notes, streamed.period, streamed.account,
            streamed.stated_openings) == \
        (whole.rows, whole.skipped, whole.notes, whole.period, whole.account, whole.stated_openings)


def statements(*ibans_and_entries) -> str:
    # each its own Id: two of one account and Id would be one statement listed twice (Repeats)
    body = "".join(camt(entries, iban=iban).split("<BkToCstmrStmt>", 1)[1].rsplit("</BkToCstmrStmt>", 1)[0]
                   .replace("<Id>S1</Id>", f"<Id>S{n}</Id>", 1)
                   for n, (iban, entries) in enumerate(ibans_and_entries, 1))
    return ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n<BkToCstmrStmt>' + body +
            "</BkToCstmrStmt></Document>\n")


def test_statements_of_another_account_are_counted_as_the_whole_read_counts_them(cfg, tmp_path, monkeypatch):
    path = tmp_path / "c.xml"
    path.write_text(statements(("DE89370400440532013000", [ntry("10.00", ref="A1"), ntry("5.00", ref="A2")]),
                               ("GB29NWBK60161331926819", [ntry("7.00", ref="B1")]),
                               ("DE89370400440532013000", [ntry("3.00", ref="A3")])), encoding="utf-8")
    mine = "DE89370400440532013000"
    whole = importer(cfg, "camt053", mine)._whole(str(path))
    _whole_refused(monkeypatch)
    streamed = importer(cfg, "camt053", mine).parse(str(path))
    assert extraction_text(streamed) == extraction_text(whole)
    assert streamed.rows == 4 and streamed.skipped == {"line of another account's statement (GB29NWBK60161331926819)": 1}


def test_errors_are_the_whole_reads(cfg, tmp_path):
    """Two accounts without account_id: the whole read names both, at the second
    statement, before the bad entry the stream would meet first."""
    path = tmp_path / "c.xml"
    path.write_text(statements(("DE89370400440532013000", [ntry("ten")]),
                               ("GB29NWBK60161331926819", [ntry("7.00")])), encoding="utf-8")
    with pytest.raises(StatementError, match=r"statements of 2 accounts \(DE89370400440532013000, "
                                             r"GB29NWBK60161331926819\); set account_id"):
        importer(cfg, "camt053").parse(str(path))


@pytest.mark.parametrize("case", ["a bad entry first", "two accounts", "cut off"])
def test_a_large_file_says_the_streams_error_without_reading_it_whole(cfg, tmp_path, monkeypatch, case):
    """Past text.ERRORS_WHOLE_UP_TO the file is not read again whole (a tree is ~21 times
    the file) only to say the error the whole read says first: the stream's is said."""
    path = tmp_path / "c.xml"
    good = ("DE89370400440532013000", [ntry("10.00", ref="A1")])
    body = {"a bad entry first": statements(("DE89370400440532013000", [ntry("ten")]),
                                            ("GB29NWBK60161331926819", [ntry("7.00")])),
            "two accounts": statements(good, ("GB29NWBK60161331926819", [ntry("7.00")])),
            "cut off": statements(good, good)[:-60]}[case]
    path.write_text(body, encoding="utf-8")
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    _whole_refused(monkeypatch)
    with pytest.raises(StatementError) as said:
        importer(cfg, "camt053").parse(str(path))
    message = str(said.value)
    assert message.startswith(f"{path}:")
    assert {"a bad entry first": "<Ntry>: expected an amount", "cut off": "not well-formed",
            "two accounts": "statements of at least 2 accounts (DE89370400440532013000, GB29NWBK60161331926819); "
                            "set account_id"}[case] in message, message


CAMT052 = ("3: a camt.052 account report (intraday, <BkToCstmrAcctRpt>) is not a statement: beanclear books the "
           "bank's end-of-day camt.053 statements (<BkToCstmrStmt>); import those for these days instead")


@pytest.mark.parametrize("body, said", [
    ('<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">\n'
     '<BkToCstmrAcctRpt><!-- BkToCstmrStmt -->\n<Rpt><Id>1</Id></Rpt></BkToCstmrAcctRpt>\n</Document>\n', CAMT052),
    ('<Envelope>\n\n<Document><BkToCstmrStmt><Stmt><Id>1</Id></Stmt></BkToCstmrStmt></Document></Envelope>',
     "1: <Envelope> is not a CAMT.053 statement (expected Document/BkToCstmrStmt)"),
])
def test_a_file_without_a_statement_says_so_without_reading_it_whole(cfg, tmp_path, monkeypatch, body, said):
    """No BkToCstmrStmt under the root: the stream says the whole read's error itself,
    at any size (the root's other children let go as they end)."""
    path = tmp_path / "c.xml"
    path.write_text(body, encoding="utf-8")
    # A camt.052 report is named as one (it is not a statement), at the line of its <BkToCstmrAcctRpt>.
    assert _refused_whole_and_streamed(cfg, path, monkeypatch) == f"{path}:{said}"
    parts = XmlParts(path, camt053.PARTS)
    assert list(parts) == [] and parts.root.tag in ("Document", "Envelope") and parts.root.children == []


def test_a_gzipped_statement_reads_as_the_plain_one(cfg, tmp_path, monkeypatch):
    plain = tmp_path / "c.xml"
    plain.write_text(camt([ntry("10.00", ref="A1"), ntry("2.50", ind="DBIT", ref="A2")]), encoding="utf-8")
    packed = tmp_path / "c.xml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    _whole_refused(monkeypatch)
    assert extraction_text(importer(cfg, "camt053").parse(str(packed))) == \
        extraction_text(importer(cfg, "camt053").parse(str(plain))).replace(str(plain), str(packed))


def test_the_stream_keeps_the_byte_limit_of_a_whole_read(tmp_path, monkeypatch):
    path = tmp_path / "c.xml.gz"
    path.write_bytes(gzip.compress(camt([ntry(ref=f"R{n}") for n in range(200)]).encode()))
    monkeypatch.setattr(text, "MAX_BYTES", 4096)
    with pytest.raises(StatementError) as whole:
        read_bytes(path)
    with pytest.raises(StatementError) as streamed:
        list(XmlParts(path, [("BkToCstmrStmt", "Stmt", "Ntry")]))
    assert str(streamed.value) == str(whole.value) and "un-gzipped file is larger than" in str(whole.value)


def test_a_node_handed_on_is_no_longer_held_by_its_parent(tmp_path):
    path = tmp_path / "c.xml"
    path.write_text(camt([ntry(ref=f"R{n}") for n in range(5)]), encoding="utf-8")
    seen = []
    for node, ancestors in XmlParts(path, [("BkToCstmrStmt", "Stmt", "Ntry")]):
        statement = ancestors[-1]
        seen.append((node.value("AcctSvcrRef"), [c.tag for c in statement.children].count("Ntry")))
    assert seen == [(f"R{n}", 0) for n in range(5)]


def test_a_statement_message_without_a_statement_says_so_streamed_as_whole(cfg, tmp_path, monkeypatch):
    """genkgo's camt053.wrong.xml: <BkToCstmrStmt> with a group header and no <Stmt>."""
    path = tmp_path / "c.xml"
    path.write_text('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n<BkToCstmrStmt>\n'
                    "<GrpHdr><MsgId>M</MsgId></GrpHdr>\n</BkToCstmrStmt>\n</Document>\n", encoding="utf-8")
    assert _refused_whole_and_streamed(cfg, path, monkeypatch) == \
        f"{path}:2: <BkToCstmrStmt> holds no <Stmt> (expected at least one account statement)"


def _refused_whole_and_streamed(cfg, path, monkeypatch) -> str:
    """The message of the error the whole read gives, which the stream must give too."""
    with pytest.raises(StatementError) as whole:
        importer(cfg, "camt053")._whole(str(path))
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    _whole_refused(monkeypatch)
    with pytest.raises(StatementError) as streamed:
        importer(cfg, "camt053").parse(str(path))
    assert str(streamed.value) == str(whole.value)
    return str(whole.value)
