"""OFX/QFX read as a stream past text.STREAM_FROM: decoded in pieces cut anywhere
(text.text_stream, the encoding and errors of read_text), each STMTTRN booked as it ends
and dropped, a statement keeping only its other elements. The books and errors are the
whole read's, which the importer falls back to when the stream meets an error or a file
it cannot follow (ofx.py, ofx_body.py)."""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from beanclear.books import idset, spill
from beanclear.importers import ofx
from beanclear.importers.toolkit import XmlNode, text
from conftest import sample
from test_bank_standards import SAMPLES, cfg, importer  # noqa: F401
from test_mt940_streamed import _streamed, both, large_error, outcome

SGML_HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nENCODING:USASCII\nCHARSET:1252\n\n"


def line(kind="DEBIT", posted="20260301", amount="-10.00", fitid="A1", name="SHOP", extra="") -> str:
    return (f"<STMTTRN><TRNTYPE>{kind}<DTPOSTED>{posted}<TRNAMT>{amount}<FITID>{fitid}<NAME>{name}"
            f"{extra}</STMTTRN>\n")


def statement(lines, account="12345678", curdef="<CURDEF>USD", ledger="<LEDGERBAL><BALAMT>80.00<DTASOF>20260331"
              "</LEDGERBAL>", kind="STMTRS", before="", after="") -> str:
    acct = "BANKACCTFROM" if kind == "STMTRS" else "CCACCTFROM"
    return (f"<STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n<{kind}>{curdef}\n"
            f"<{acct}><BANKID>1<BRANCHID><ACCTID>{account}<ACCTTYPE>CHECKING</{acct}>\n{before}"
            "<BANKTRANLIST><DTSTART>20260301<DTEND>20260331\n" + "".join(lines) +
            f"</BANKTRANLIST>{after}{ledger}</{kind}></STMTTRNRS>\n")


def ofx_file(*statements: str, header=SGML_HEADER, signon="<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO"
             "</STATUS><DTSERVER>20260401</SONRS></SIGNONMSGSRSV1>\n") -> str:
    return header + "<OFX>" + signon + "<BANKMSGSRSV1>" + "".join(statements) + "</BANKMSGSRSV1></OFX>\n"


BODY = ofx_file(statement([line(), line("CREDIT", "20260302120000.000[-5:EST]", "25.50", "A2", "STRIPE PAYOUT"),
                           line("POS", "20260303", "-5.25", "A3", "CAF&Eacute; &amp; BAR",
                                "<MEMO><![CDATA[<b>fish</b> & chips]]><CHECKNUM>0012"),
                           line("FEE", "20260303", "0.00", "A4", "NOTHING"), line(fitid="A1"),
                           line("HOLD", fitid="H"), line(fitid="", name="NO FITID"),
                           line(extra="<ACCTBAL>70.00"), line("XFER", "20260304", "-7.00", "A5", "<!-- c -->ABC")]))


def write(tmp_path, body: str, encoding="utf-8", name="s.ofx"):
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


# -- the real samples ------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLES["bank_ofx"])
def test_every_sample_streamed_gives_the_whole_reads_books(cfg, monkeypatch, name):
    streamed, whole = both(importer(cfg, "bank_ofx"), sample("bank_ofx", name), monkeypatch)
    assert whole[0] != "error" and streamed == whole


@pytest.mark.parametrize("chunk", range(1, 8))
@pytest.mark.parametrize("name", SAMPLES["bank_ofx"])
def test_a_sample_cut_into_pieces_of_one_to_seven_bytes(cfg, monkeypatch, chunk, name):
    """Every byte a piece's end somewhere: inside a tag, a CDATA section, an entity, the
    `<OFX>` after the header, CRLF cut between \\r and \\n, a one-line body."""
    streamed, whole = both(importer(cfg, "bank_ofx"), sample("bank_ofx", name), monkeypatch, chunk)
    assert whole[0] != "error" and streamed == whole


# -- line ends, encodings, one line, XML --------------------------------------------------

@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, None])
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_line_ends(cfg, tmp_path, monkeypatch, chunk, end):
    """Lines are counted at \\n, as the whole read counts them: a file of CR alone is one line."""
    path = write(tmp_path, BODY.replace("\n", end))
    streamed, whole = both(importer(cfg, "bank_ofx"), path, monkeypatch, chunk)
    assert whole[0] != "error" and streamed == whole and whole[2] == 9


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, None])
@pytest.mark.parametrize("encoding, configured", [("cp1252", None), ("cp1252", "cp1252"), ("latin-1", None),
                                                  ("utf-8", None), ("utf-8-sig", None), ("utf-8", "utf-8")])
def test_encodings_the_importer_reads(cfg, tmp_path, monkeypatch, chunk, encoding, configured):
    """Windows-1252 (`€` one byte, 0x80), found by the fallbacks or named in config.yaml;
    UTF-8 with and without a BOM (a character of 2-3 bytes cut by a piece's end)."""
    euro = "\u20ac" if encoding != "latin-1" else "\u00a4"
    path = write(tmp_path, BODY.replace("NO FITID", f"M\u00fcller {euro} 5"), encoding)
    imp = importer(cfg, "bank_ofx")
    imp.source = replace(imp.source, encoding=configured)
    streamed, whole = both(imp, path, monkeypatch, chunk)
    assert whole[0] != "error" and streamed == whole and f"M\u00fcller {euro} 5" in whole[0]


@pytest.mark.parametrize("chunk", [1, 3, 7, None])
def test_a_body_all_on_one_line(cfg, tmp_path, monkeypatch, chunk):
    body = SGML_HEADER + BODY[len(SGML_HEADER):].replace("\n", "")
    streamed, whole = both(importer(cfg, "bank_ofx"), write(tmp_path, body), monkeypatch, chunk)
    assert whole[0] != "error" and streamed == whole and "STRIPE PAYOUT" in whole[0]


def xml_closed(body: str) -> str:
    """The SGML body with every leaf closed, under an OFX 2 header."""
    import re
    body = re.sub(r"<([A-Z.]+)>([^<\n]+)(?=<|\n)", r"<\1>\2</\1>", body)
    body = re.sub(r"<(BRANCHID)>(?=<)", r"<\1></\1>", body)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE"?>\n'
            + body[len(SGML_HEADER):])


@pytest.mark.parametrize("chunk", [1, 2, 5, None])
def test_ofx_2_xml_and_qfx_headers(cfg, tmp_path, monkeypatch, chunk):
    xml = xml_closed(BODY)
    assert "<TRNAMT>-10.00</TRNAMT>" in xml
    for n, body in enumerate([xml, xml.replace('<?xml version="1.0" encoding="UTF-8"?>\n', "\n\n"),
                              '<?xml version="1.0"?>\n' + BODY[len(SGML_HEADER):], "\n\n\n" + BODY]):
        streamed, whole = both(importer(cfg, "bank_ofx"), write(tmp_path, body, name=f"{n}.qfx"), monkeypatch, chunk)
        assert whole[0] != "error" and streamed == whole and whole[2] == 9


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, None])
def test_xml_empty_elements_and_prettified_leaf_end_tags(cfg, tmp_path, monkeypatch, chunk):
    """`<BALAMT/>` (a token cut anywhere before its `/>`) and end tags of leaves already
    closed (an Amex download re-indented) stream as they read whole."""
    from test_bank_traps import PRETTIFIED
    empty = BODY.replace("<BRANCHID>", "<BRANCHID/>").replace("<BALAMT>80.00", "<BALAMT />")
    for n, body in enumerate([empty, PRETTIFIED]):
        streamed, whole = both(importer(cfg, "bank_ofx"), write(tmp_path, body, name=f"{n}.ofx"), monkeypatch, chunk)
        assert whole[0] != "error" and streamed == whole and whole[2] in (9, 1)


@pytest.mark.parametrize("account_id", [None, "AcctNum SAVINGS", "AcctNum CHECKING"])
def test_one_account_number_of_two_types_and_pending_lines(cfg, tmp_path, monkeypatch, account_id):
    """Statements of one ACCTID and two ACCTTYPEs: the stream reads the file again whole,
    which tells the two accounts apart. Pending lines (BANKTRANLISTP) are counted alike."""
    from test_bank_traps import bank_statement
    pending = "<BANKTRANLISTP><DTASOF>20050803<STMTTRNP><TRNTYPE>HOLD<TRNAMT>-1.00</STMTTRNP></BANKTRANLISTP>"
    checking = bank_statement("CHECKING", "C1", "-49.65", "701.11").replace("<LEDGERBAL>", pending + "<LEDGERBAL>")
    body = ofx_file(checking, bank_statement("SAVINGS", "S1", "12.89", "8012.89"))
    streamed, whole = both(importer(cfg, "bank_ofx", account_id), write(tmp_path, body), monkeypatch,
                           whole_allowed=True)
    assert streamed == whole and (whole[0] == "error") == (account_id is None)


def test_a_long_token_is_not_searched_again_for_each_piece(monkeypatch):
    """A token longer than a piece (a long MEMO, comment, CDATA) waits for what ends it,
    each piece looked at once: the text is matched a few times in all, not once a piece."""
    from beanclear.importers import ofx_body
    long = "x" * 200_000
    body = BODY.replace("<NAME>SHOP", f"<NAME>SHOP<MEMO>{long}<!--{long}--><![CDATA[{long}]]>", 1)
    scans, token = [], ofx_body.TOKEN

    class Counting:
        def finditer(self, buf):
            scans.append(len(buf))
            return token.finditer(buf)
    monkeypatch.setattr(ofx_body, "TOKEN", Counting())
    pieces = [body[i:i + 64] for i in range(0, len(body), 64)]
    whole = [(m.group(), line) if m else line for m, line in ofx_body.tokens([body], "x")]
    scans.clear()
    assert [(m.group(), line) if m else line for m, line in ofx_body.tokens(pieces, "x")] == whole
    assert len(pieces) > 9000 and len(scans) < len(pieces) - 9000 and sum(scans) < 4 * len(body)


def test_statements_of_two_accounts_each_bank_takes_its_own(cfg, tmp_path, monkeypatch):
    body = ofx_file(statement([line()]), statement([line(fitid="B1"), line(fitid="B2")], account="999", kind="CCSTMTRS",
                                                   curdef="<CURDEF>EUR"), statement([line(fitid="C")]))
    path = write(tmp_path, body)
    for account_id in ("12345678", "999", "555"):
        streamed, whole = both(importer(cfg, "bank_ofx", account_id), path, monkeypatch)
        assert whole[0] != "error" and streamed == whole
        assert any(why.startswith("line of another account's statement") for why in whole[3])


def test_progress_is_reported_in_bytes_of_the_file(cfg, tmp_path, monkeypatch):
    path = write(tmp_path, ofx_file(statement([line(fitid=f"F{n}") for n in range(12000)], ledger="")))
    imp = importer(cfg, "bank_ofx")
    seen = []
    imp.on_progress = lambda done, total: seen.append((done, total))
    _streamed(monkeypatch, 4096, ofx.Importer)
    assert imp.parse(str(path)).rows == 12000
    size = path.stat().st_size
    assert seen[-1] == (size, size) and len(seen) > 3 and all(t == size for _, t in seen)


# -- bad input: the whole read's error, found streamed or read again whole -------------------

def _broken(name: str) -> str:
    return {
        "cut off mid-tag": BODY[:BODY.index("<STMTTRN>", 400) + 5],
        "cut off": BODY.split("</BANKTRANLIST>")[0],
        "bad amount": BODY.replace("<TRNAMT>-5.25", "<TRNAMT>5-25"),
        "bad date": BODY.replace("<DTPOSTED>20260303", "<DTPOSTED>2026-03-03", 1),
        "'<' starting no tag": BODY.replace("NOTHING", "A < B"),
        "DOCTYPE": BODY.replace("<SIGNONMSGSRSV1>", '<!DOCTYPE ofx [<!ENTITY x "y">]><SIGNONMSGSRSV1>'),
        "text outside a leaf": BODY.replace("</STMTTRN>\n</BANKTRANLIST>", "</STMTTRN>stray</BANKTRANLIST>"),
        # a list of STMTTRNs alone: each dropped as it is booked
        "text after the lines dropped": BODY.replace("<DTSTART>20260301<DTEND>20260331", "")
                                            .replace("\n</BANKTRANLIST>", "\nmore</BANKTRANLIST>"),
        "no DTPOSTED": BODY.replace("<DTPOSTED>20260304", ""),
        "no TRNAMT": BODY.replace("<TRNAMT>-7.00", ""),
        "unknown TRNTYPE": BODY.replace("<TRNTYPE>XFER", "<TRNTYPE>BOUNCE"),
        "end tag never opened": BODY.replace("</BANKTRANLIST>", "</BANKTRANLIST></STMTTRNX>"),
        "error status after the lines": BODY.replace("</STMTTRNRS>", "<STATUS><CODE>2000<SEVERITY>ERROR</STATUS>"
                                                     "</STMTTRNRS>"),
        "comment never closed": BODY.replace("<!-- c -->", "<!-- c "),
        "CDATA never closed": BODY.replace("chips]]>", "chips"),
        "no <OFX>": SGML_HEADER + "<BANKMSGSRSV1></BANKMSGSRSV1>\n",
        "no statement": ofx_file(),
        "two accounts": ofx_file(statement([line()]), statement([line(fitid="B")], account="999")),
        "bad balance": BODY.replace("<BALAMT>80.00", "<BALAMT>eighty"),
        "balance without a date": BODY.replace("<DTASOF>20260331", "").replace("<DTEND>20260331", ""),
        "bad DTSTART": BODY.replace("<DTSTART>20260301", "<DTSTART>20261301"),
        "a STMTTRN left open": BODY.replace("ABC</STMTTRN>", "ABC"),
        "CURRENCY other than the statement's": BODY.replace("<NAME>NO FITID", "<NAME>NO FITID<CURRENCY><CURRATE>1"
                                                            "<CURSYM>EUR</CURRENCY>"),
        "empty": "\n \n",
        # shapes the stream gives up on that the whole read refuses: it says so itself
        "a line outside every statement": BODY.replace("<BANKMSGSRSV1>", "<BANKMSGSRSV1>" + line(fitid="S")),
        "lines and no statement": ofx_file(line(fitid="S1"), line(fitid="S2")),
        "a line outside, then an error status": ofx_file(line(fitid="S"), statement([line()]).replace(
            "<CODE>0", "<CODE>2000")),
        "a line outside, then a bad amount": ofx_file(line(fitid="S"), statement([line(amount="1-0")])),
        "a line outside, then a line cut off": ofx_file(line(fitid="S"), statement([line()]))[:-60],
        "a statement left open": ofx_file(statement([line(), line(fitid="A2")]).replace("</STMTRS>", ""),
                                          statement([line(fitid="B")])),
    }[name]


BROKEN = ["cut off mid-tag", "cut off", "bad amount", "bad date", "'<' starting no tag", "DOCTYPE",
          "text outside a leaf", "text after the lines dropped", "no DTPOSTED", "no TRNAMT", "unknown TRNTYPE",
          "end tag never opened", "error status after the lines", "comment never closed", "CDATA never closed",
          "no <OFX>", "no statement", "two accounts", "bad balance", "balance without a date", "bad DTSTART",
          "a STMTTRN left open", "CURRENCY other than the statement's", "empty", "a line outside every statement",
          "lines and no statement", "a line outside, then an error status", "a line outside, then a bad amount",
          "a line outside, then a line cut off", "a statement left open"]
# The shapes the stream gave up on, and read whole only to say an error: it says the whole
# read's (its message, its line) at any size.
SHAPES = ["no statement", "a STMTTRN left open", "a line outside every statement", "lines and no statement",
          "a line outside, then an error status", "a line outside, then a bad amount",
          "a line outside, then a line cut off", "a statement left open"]


@pytest.mark.parametrize("chunk", [3, None])
@pytest.mark.parametrize("name", BROKEN)
def test_each_error_of_the_whole_read_is_raised_streamed(cfg, tmp_path, monkeypatch, name, chunk):
    path = write(tmp_path, _broken(name))
    streamed, whole = both(importer(cfg, "bank_ofx"), path, monkeypatch, chunk, whole_allowed=True)
    assert streamed == whole and whole[0] == "error" and whole[1].startswith(f"{path}:"), whole


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_large_file_says_the_streams_error_without_reading_it_whole(cfg, tmp_path, monkeypatch, name):
    """Past text.ERRORS_WHOLE_UP_TO the file is not read again whole (its tree is ~25
    times the file) only to say the error the whole read says first: the stream's is said;
    of a shape the stream gives up on (no statement, a line outside every statement, an
    element left open) and of a blank file (text_stream), the whole read's own."""
    streamed, whole = large_error(importer(cfg, "bank_ofx"), write(tmp_path, _broken(name)), monkeypatch)
    if name in SHAPES or name == "empty":
        assert streamed == whole


@pytest.mark.parametrize("chunk", [1, 3, None])
@pytest.mark.parametrize("name", SHAPES)
def test_a_shape_the_stream_gives_up_on_says_the_whole_reads_error_streamed(cfg, tmp_path, monkeypatch, name,
                                                                            chunk):
    """The stream itself says what the whole read says of these, at its line (the whole
    read refused: the file is past text.ERRORS_WHOLE_UP_TO)."""
    path = write(tmp_path, _broken(name))
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    streamed, whole = both(importer(cfg, "bank_ofx"), path, monkeypatch, chunk)
    assert streamed == whole and whole[0] == "error", (streamed, whole)
    assert whole[1].startswith(f"{path}:{SAID[name]}"), whole


SAID = {"no statement": "7: no <STMTRS> or <CCSTMTRS>", "lines and no statement": "7: no <STMTRS>",
        "a STMTTRN left open": "20: <TRNTYPE>: unknown type ''",
        "a line outside every statement": "8: <STMTTRN> outside a statement's <BANKTRANLIST>",
        "a line outside, then an error status": "9: the bank reports error 2000",
        "a line outside, then a bad amount": "8: <STMTTRN> outside",
        "a line outside, then a line cut off": "14: <DTASOF> (line 14) is never closed",
        "a statement left open": "12: <STMTTRN> outside"}


@pytest.mark.parametrize("account_id", ["12345678", "999"])
def test_a_line_left_open_is_read_as_the_whole_read_reads_it(cfg, tmp_path, monkeypatch, account_id):
    """A STMTTRN whose end tag never comes holds nothing once its list closes (what it
    held moves up): of another account's statement it is one more line skipped, at any
    size, never a fall back to the whole read."""
    body = ofx_file(statement([line(), line(fitid="A2")]).replace("</STMTTRN>\n</BANKTRANLIST>", "\n</BANKTRANLIST>"),
                    statement([line(fitid="B")], account="999"))
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    streamed, whole = both(importer(cfg, "bank_ofx", account_id), write(tmp_path, body), monkeypatch, 3)
    assert streamed == whole
    if account_id == "999":
        assert whole[2] == 3 and whole[3] == {"line of another account's statement (12345678)": 2}
    else:
        assert whole[0] == "error" and "<TRNTYPE>: unknown type ''" in whole[1]


@pytest.mark.parametrize("name, message", [
    ("bad amount", ":14: column <TRNAMT>: expected an amount, got '5-25'"),
    ("'<' starting no tag", ":15: a '<' that starts no tag"),
    ("text outside a leaf", ":20: text 'stray' outside a leaf element"),
    ("text after the lines dropped", ":20: text 'more' outside a leaf element"),
    ("cut off", ":21: <BANKTRANLIST> (line 11) is never closed"),
    ("comment never closed", ":20: a '<' that starts no tag"),
    ("end tag never opened", ":21: </STMTTRNX> closes an element that was never opened"),
])
def test_the_stream_finds_the_errors_of_the_body_itself(cfg, tmp_path, monkeypatch, name, message):
    """Errors of the body are found by the one reader: the stream raises them itself, on
    the line the whole read names (a booked line dropped from the tree leaves its parent
    with children: text after it is outside a leaf, as in the whole read)."""
    path = write(tmp_path, _broken(name))
    imp = importer(cfg, "bank_ofx")
    whole = outcome(imp._whole, path)
    _streamed(monkeypatch, 2, refused=None)
    pieces = text.text_stream(path, None, text.WESTERN_ENCODINGS, lines=False)
    assert outcome(lambda p: imp._streamed(p, pieces), path) == whole
    assert whole[1].startswith(f"{path}{message}")


def _unusual(name: str) -> str:
    """Files the whole read reads and the stream cannot follow as it would: read again whole."""
    lines = [line(), line(fitid="A2")]
    return {
        "account after the lines": ofx_file(statement(lines).replace("<BANKACCTFROM>", "<X>").replace(
            "</BANKACCTFROM>", "</X>").replace("</BANKTRANLIST>", "</BANKTRANLIST><BANKACCTFROM><ACCTID>7"
                                              "</BANKACCTFROM>")),
        "currency after the lines": ofx_file(statement(lines, curdef="", after="<CURDEF>EUR")),
        "days after the lines": ofx_file(statement(lines).replace("<DTSTART>20260301<DTEND>20260331", "").replace(
            "</BANKTRANLIST>", "<DTSTART>20260301<DTEND>20260331</BANKTRANLIST>")),
        # the statement's own DTSTART, after its lines, is the one read (not its list's)
        "days of the statement after the lines": ofx_file(statement(lines, after="<DTSTART>20260201")),
        "an empty element holding the list": ofx_file(statement(lines, before="<MKTGINFO>")),
        "investment lines": ofx_file(statement(lines)).replace(
            "</BANKMSGSRSV1>", "</BANKMSGSRSV1><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><INVTRANLIST><INVBANKTRAN>"
            + line(fitid="I") + "</INVBANKTRAN></INVTRANLIST></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>"),
        "a statement after </OFX>": ofx_file(statement(lines)) + "<OFX>" + statement([line(fitid="Z")]) + "</OFX>",
        "statements of two accounts, one with no lines": ofx_file(statement(lines), statement([], account="999")),
        # left open, what they hold moves up to their parent: a list's lines are then the
        # statement's own (booked); a statement's are no statement's (refused)
        "a BANKTRANLIST left open": ofx_file(statement(lines).replace("</BANKTRANLIST>", "").replace(
            "<DTSTART>20260301<DTEND>20260331", "")),
        "a statement left open": ofx_file(statement(lines).replace("</STMTRS>", "")),
    }[name]


@pytest.mark.parametrize("name, rows", [
    ("account after the lines", 2), ("currency after the lines", 2), ("days after the lines", 2),
    ("days of the statement after the lines", 2),
    ("an empty element holding the list", 2), ("investment lines", 3), ("a statement after </OFX>", 2),
    ("a BANKTRANLIST left open", 2), ("a statement left open", None)])
def test_what_the_stream_cannot_follow_is_read_whole(cfg, tmp_path, monkeypatch, name, rows):
    streamed, whole = both(importer(cfg, "bank_ofx"), write(tmp_path, _unusual(name)), monkeypatch, 5,
                           whole_allowed=True)
    assert streamed == whole
    if rows is None:   # its lines moved out of every statement: refused, never left out
        assert whole[0] == "error" and "<STMTTRN> outside a statement's <BANKTRANLIST>" in whole[1]
        return
    assert whole[0] != "error"
    assert whole[2] == rows   # the lines read, wherever the statement says what it books them by
    if name == "investment lines":
        assert whole[3]["line of an investment statement (not supported)"] == 1


def test_two_accounts_need_an_account_id_streamed_as_whole(cfg, tmp_path, monkeypatch):
    path = write(tmp_path, _unusual("statements of two accounts, one with no lines"))
    streamed, whole = both(importer(cfg, "bank_ofx", "999"), path, monkeypatch)
    assert streamed == whole and whole[2] == 2 and whole[3] == {"line of another account's statement (12345678)": 2}
    streamed, whole = both(importer(cfg, "bank_ofx"), path, monkeypatch, whole_allowed=True)
    assert streamed == whole and "statements of 2 accounts" in whole[1]


# -- generated files ----------------------------------------------------------------------

GAPS = ["", "", "", "\n", "\r\n", "\r", " ", "\t", "\n\t\t", "\r\n  ", " <!-- note -->\n"]
NAMES = ["SHOP", "CAF\u00c9 & BAR", "<![CDATA[A & <B>]]>", "Fish &amp; chips", "M\u00fcller \u20ac", "X", ""]


@st.composite
def ofx_files(draw) -> str:
    """OFX 1 SGML (leaves unclosed, empty ones swallowing what follows until their parent
    closes), OFX 2 XML, hybrids; one or more statements of one or more accounts, bank or
    card, with or without CURDEF, LEDGERBAL before or after the list, ACCTBAL, FX lines,
    FITIDs repeated or missing, HOLD and zero lines, now and then a bad value; whitespace,
    comments and line breaks (LF, CRLF, CR) anywhere between tokens."""
    style = draw(st.sampled_from(["sgml", "xml", "hybrid"]))
    rnd = draw(st.randoms(use_true_random=False))
    tokens: list[str] = []

    def leaf(tag, value, closed=False):
        closed = closed or style == "xml" or (style == "hybrid" and rnd.random() < 0.5)
        tokens.extend([f"<{tag}>"] + ([value] if value else []) + ([f"</{tag}>"] if closed else []))

    header = draw(st.sampled_from([SGML_HEADER, "\n\n" + SGML_HEADER,
                                   '<?xml version="1.0"?>\n<?OFX OFXHEADER="200"?>\n',
                                   '<?OFX OFXHEADER="200" VERSION="211"?>\n']))
    tokens += ["<OFX>", "<SIGNONMSGSRSV1>", "<SONRS>", "<STATUS>"]
    leaf("CODE", "0")
    leaf("SEVERITY", "INFO")
    tokens += ["</STATUS>", "</SONRS>", "</SIGNONMSGSRSV1>", "<BANKMSGSRSV1>"]
    for n in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["STMTRS", "CCSTMTRS"]))
        acct = "BANKACCTFROM" if kind == "STMTRS" else "CCACCTFROM"
        curdef = draw(st.sampled_from(["USD", "USD", "CAD", ""]))
        tokens += ["<STMTTRNRS>"]
        leaf("TRNUID", str(n))
        tokens.append("<STATUS>")
        leaf("CODE", draw(st.sampled_from(["0"] * 9 + ["2000"])))
        tokens.append("</STATUS>")
        tokens += [f"<{kind}>"]
        if curdef:
            leaf("CURDEF", curdef)
        tokens += [f"<{acct}>"]
        leaf("BANKID", "1")
        leaf("BRANCHID", draw(st.sampled_from(["", "00"])))
        leaf("ACCTID", draw(st.sampled_from(["12345678", "12345678", "999"])))
        tokens += [f"</{acct}>"]
        ledger = draw(st.sampled_from(["none", "before", "after", "empty"]))

        def balance():
            tokens.append("<LEDGERBAL>")
            leaf("BALAMT", "" if ledger == "empty" else draw(st.sampled_from(["100.00", "-5.25", "1,5", "x"])))
            leaf("DTASOF", draw(st.sampled_from(["20260331", "", "20260331120000.000[-5:EST]"])))
            tokens.append("</LEDGERBAL>")

        if ledger == "before":
            balance()
        tokens.append("<BANKTRANLIST>")
        start = draw(st.sampled_from(["20260301", "20260301", ""]))
        leaf("DTSTART", start, closed=not start)   # an empty one left open would hold the lines: read whole
        leaf("DTEND", "20260331")
        for i in range(draw(st.integers(0, 6))):
            tokens.append("<STMTTRN>")
            leaf("TRNTYPE", draw(st.sampled_from(["DEBIT", "CREDIT", "POS", "HOLD", "FEE", "Credit"])))
            leaf("DTPOSTED", draw(st.sampled_from(["20260301", "20260302120000.000[-5:EST]", "20180804093914:014",
                                                   "20260310"] * 5 + ["2026-03-01"])))
            leaf("TRNAMT", draw(st.sampled_from(["-10.00", "25.50", "0.00", "-0.01", "1234.5"] * 4 + ["12-50"])))
            leaf("FITID", draw(st.sampled_from(["", "F1", "F1", f"F{n}{i}"])))
            if rnd.random() < 0.3:
                leaf("CHECKNUM", rnd.choice(["", "0012"]))
            leaf("NAME", draw(st.sampled_from(NAMES)))
            if rnd.random() < 0.5:
                leaf("MEMO", rnd.choice(NAMES[:-1]))
            if rnd.random() < 0.2:
                leaf("ACCTBAL", rnd.choice(["70.00", "0"]))
            if rnd.random() < 0.15:
                foreign = rnd.choice(["ORIGCURRENCY", "CURRENCY"])
                tokens.append(f"<{foreign}>")
                leaf("CURRATE", "1.1")
                leaf("CURSYM", rnd.choice(["EUR", "USD"]))
                tokens.append(f"</{foreign}>")
            tokens.append("</STMTTRN>")
        tokens.append("</BANKTRANLIST>")
        if ledger in ("after", "empty"):
            balance()
        tokens += [f"</{kind}>", "</STMTTRNRS>"]
    tokens += ["</BANKMSGSRSV1>", "</OFX>"]
    return header + "".join(token + rnd.choice(GAPS) for token in tokens)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(ofx_files(), st.integers(1, 97), st.sampled_from(["utf-8", "cp1252"]),
       st.sampled_from([None, "12345678", "555"]))
def test_generated_files_streamed_give_the_whole_reads_books(cfg, tmp_path, monkeypatch, body, chunk, encoding,
                                                             account_id):
    path = write(tmp_path, body, encoding, name="g.ofx")
    imp = importer(cfg, "bank_ofx", account_id)
    errs = outcome(imp._whole, path)[0] == "error"   # a file the whole read reads, the stream reads too
    streamed, whole = both(imp, path, monkeypatch, chunk, whole_allowed=errs)
    assert streamed == whole


# -- memory: nothing kept per transaction --------------------------------------------------

@pytest.mark.parametrize("one_line", [False, True])
def test_the_stream_holds_no_transaction_it_has_booked(cfg, tmp_path, monkeypatch, one_line):
    """3,000 lines: when the last is booked, the streamed read holds a few elements of the
    file (the whole read: all of them, 7 a line), and its peak of memory is a fraction of
    the whole read's (a fourteenth here; less, the more lines). Entries and ids go to disk
    as they would past their limits (spill, idset), so that what is left is what the
    reader keeps. The count of elements (a list of every object in the process, a
    megabyte or more in a worker that has imported the suite, and as large for either
    read) is left out of both peaks, so that what is compared is what the reads hold:
    3,000 lines then say what 8,000 said with it, in under half the time."""
    lines = [f"<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>2026030{n % 9 + 1}\n<TRNAMT>-{n % 997}.25\n<FITID>F{n:08d}\n"
             f"<NAME>SUPPLIER {n % 89}\n<MEMO>REF {n * 7919 % 10**8:08d}\n</STMTTRN>\n" for n in range(3000)]
    body = ofx_file(statement(lines))
    if one_line:
        body = SGML_HEADER + body[len(SGML_HEADER):].replace("\n", "")
    path = write(tmp_path, body)
    monkeypatch.setattr(spill, "LIMIT", 100)
    monkeypatch.setattr(idset, "LIMIT_IDS", 100)
    imp = importer(cfg, "bank_ofx")
    held, peaks = [], []
    booked = ofx.Importer._line

    def counting(self, trn, *args):
        if trn.value("FITID") == "F00002999":   # the last
            peaks.append(tracemalloc.get_traced_memory()[1])   # the read's peak so far
            held.append(sum(isinstance(o, XmlNode) for o in gc.get_objects()))
            tracemalloc.reset_peak()   # (the list counted is gone: the peak from here is the read's again)
        return booked(self, trn, *args)
    monkeypatch.setattr(ofx.Importer, "_line", counting)

    def peak(read) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            assert read(str(path)).rows == 3000
            return max(peaks.pop(), tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    whole = peak(imp._whole)
    with monkeypatch.context() as m:
        _streamed(m, 2**16, ofx.Importer)
        streamed = peak(imp.parse)
    assert held[0] > 6 * 3000 and held[1] < 60, held
    assert streamed < whole / 5, (streamed, whole)
