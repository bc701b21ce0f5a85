"""MT940 read as a stream past text.STREAM_FROM: decoded chunk by chunk (text.text_stream,
the encoding and errors of read_text), each :61: booked as it ends in the file, only a
statement's other fields kept. The books and errors are the whole read's, which the
importer falls back to when the stream meets an error or a file it cannot follow."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from beancount.core import data
from hypothesis import HealthCheck, given, settings, strategies as st

from beanclear.importers import mt940
from beanclear.importers.toolkit import StatementError, text
from conftest import sample
from golden_util import extraction_text
from test_bank_standards import ACCOUNT_IDS, SAMPLES, cfg, importer  # noqa: F401
from test_bank_traps import ENVELOPE


def _streamed(monkeypatch, chunk: int | None = None, refused=mt940.Importer):
    """Every file past the threshold, `chunk` bytes at a time; the whole read of the
    importer class `refused` (None: of none) refused."""
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    if chunk:
        monkeypatch.setattr(text, "CHUNK", chunk)

    def refuse(self, path):
        raise AssertionError(f"{path} was read whole")
    if refused is not None:
        monkeypatch.setattr(refused, "_whole", refuse)


def outcome(read, path) -> tuple:
    """What a read gives: every part of the Extraction, or the error's message."""
    try:
        ex = read(str(path))
    except StatementError as exc:
        return ("error", str(exc))
    return (extraction_text(ex), list(ex.entries), ex.rows, dict(ex.skipped), ex.notes, ex.period, ex.account,
            ex.stated_openings)


def both(imp, path, monkeypatch, chunk=None, whole_allowed=False) -> tuple[tuple, tuple]:
    """What a bank importer gives for the file streamed (a fall back to its whole read
    fails the test unless `whole_allowed`), and read whole."""
    whole = outcome(imp._whole, path)
    with monkeypatch.context() as m:
        _streamed(m, chunk, None if whole_allowed else type(imp))
        streamed = outcome(imp.parse, path)
    return streamed, whole


@pytest.mark.parametrize("name", SAMPLES["mt940"])
def test_every_sample_streamed_gives_the_whole_reads_books(cfg, monkeypatch, name):
    path = sample("mt940", name)
    streamed, whole = both(importer(cfg, "mt940", ACCOUNT_IDS.get(name)), path, monkeypatch)
    assert whole[0] != "error" and streamed == whole


def test_statements_of_another_account_are_skipped_as_the_whole_read_skips_them(cfg, monkeypatch):
    path = sample("mt940", "mt940-betterplace-sepa_snippet.sta")
    for account_id in ("0194787400888", "0194791600888", "999"):
        streamed, whole = both(importer(cfg, "mt940", account_id), path, monkeypatch)
        assert whole[0] != "error" and streamed == whole
        assert any(why.startswith("line of another account's statement") for why in whole[3])


@pytest.mark.parametrize("chunk", range(1, 8))
@pytest.mark.parametrize("name", ["mt940-betterplace-sepa_snippet.sta", "mt940-february_30.sta"])
def test_a_statement_or_field_cut_across_chunks(cfg, monkeypatch, chunk, name):
    """Every byte a chunk boundary somewhere: a wrapped :86:, CRLF line ends cut between
    \\r and \\n, the `-` separator, a statement's end."""
    path = sample("mt940", name)
    streamed, whole = both(importer(cfg, "mt940", ACCOUNT_IDS.get(name)), path, monkeypatch, chunk)
    assert whole[0] != "error" and streamed == whole


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, None])
@pytest.mark.parametrize("encoding, configured", [("cp1252", None), ("cp1252", "cp1252"), ("latin-1", None),
                                                  ("utf-8", None), ("utf-8-sig", None)])
def test_an_envelope_in_a_western_encoding_streamed(cfg, tmp_path, monkeypatch, chunk, encoding, configured):
    """Windows-1252 (`€` is one byte, 0x80, cut nowhere), found by the fallbacks or named
    in config.yaml; the SWIFT envelope, RC and a year-crossing entry date."""
    path = tmp_path / "s.sta"
    body = ENVELOPE.replace("Storno", "Storno 12,50 \u20ac") if encoding != "latin-1" else ENVELOPE
    path.write_bytes(body.replace("\n", "\r\n").encode(encoding))
    imp = importer(cfg, "mt940")
    imp.source = replace(imp.source, encoding=configured)
    streamed, whole = both(imp, path, monkeypatch, chunk)
    assert whole[0] != "error" and streamed == whole
    if encoding == "cp1252":
        assert "M\u00fcller GmbH" in whole[0] and "12,50 \u20ac" in whole[0]


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 5, 6, 7])
def test_lines_are_cut_where_splitlines_cuts_the_whole_text(cfg, tmp_path, monkeypatch, chunk):
    """U+2028/U+2029 end a line of the whole text (str.splitlines) though not of a CSV
    stream; \x0c and \x85 are control characters, gone before lines are cut; a lone \r."""
    path = tmp_path / "s.sta"
    body = ENVELOPE.replace(":86:Geb\u00fchr", ":86:Geb\u00fchr\u2028mehr\u2029\x0cnoch\x85\rund mehr\r\r")
    path.write_text(body, encoding="utf-8")
    streamed, whole = both(importer(cfg, "mt940"), path, monkeypatch, chunk)
    assert whole[0] != "error" and streamed == whole and "mehr" in whole[0]


def _broken(name: str) -> str:
    two = ENVELOPE + ENVELOPE.replace(":20:REF1", ":20:REF2")
    return {
        "bad :61:": ENVELOPE.replace(":61:2601020102D10,50", ":61:2601020102D10.50"),
        "bad opening": ENVELOPE.replace(":60F:C251230EUR100,", ":60F:C251230EUR100"),
        "bad closing": ENVELOPE.replace(":62F:C260102EUR74,50", ":62F:C260102EUR74.50"),
        "bad date": ENVELOPE.replace(":61:2601020102D10,50", ":61:2613020102D10,50"),
        "unknown field": ENVELOPE.replace(":28C:1/1", ":99X:1/1"),
        "cut off": ENVELOPE.split(":62F:")[0],
        # a line's error comes first in the file, the field's further on: the whole read names the field
        "unknown field after a bad line": two.replace(":61:2601020102D10,50", ":61:2601020102D10.50", 1)
                                             .replace(":28C:1/1", ":99X:1/1").replace(":99X:1/1", ":28C:1/1", 1),
        # the first statement's lines are bad, the second names another account
        "two accounts": ENVELOPE.replace("D10,50", "D10.50") + ENVELOPE.replace(":20:REF1", ":20:REF2").replace(
            "NL20INGB0001234567", "NL20INGB0007654321"),
        "closing in another currency": ENVELOPE.replace(":62F:C260102EUR", ":62F:C260102USD"),
        "no :20:": "ABNANL2A\n940\n",
        "empty": "\n  \n",
        "no opening before the lines": ENVELOPE.replace(":60F:C251230EUR100,\n", ""),
        "opening after the lines": ENVELOPE.replace(":60F:C251230EUR100,\n", "").replace(
            ":62F:", ":60F:C251230EUR100,\n:62F:"),
        "account after the lines": ENVELOPE.replace(":25:NL20INGB0001234567\n", "").replace(
            ":62F:", ":25:NL20INGB0001234567\n:62F:"),
        "mojibake": ENVELOPE.replace("Geb\u00fchr", "Geb\u00fc\u00e4hr".encode().decode("latin-1")),
    }[name]


def large_error(imp, path, monkeypatch) -> tuple[tuple, tuple]:
    """(streamed, whole) of a broken file, streamed as a file past text.ERRORS_WHOLE_UP_TO
    is (a fall back to the whole read fails the test); both must be errors naming it."""
    whole = outcome(imp._whole, path)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    monkeypatch.setattr(type(imp), "_whole", lambda self, p: pytest.fail(f"{p} was read whole"))
    streamed = outcome(imp.parse, path)
    assert streamed[0] == whole[0] == "error" and streamed[1].startswith(f"{path}:"), streamed
    return streamed, whole


@pytest.mark.parametrize("name", ["bad :61:", "bad opening", "bad closing", "bad date", "unknown field", "cut off",
                                  "unknown field after a bad line", "two accounts", "closing in another currency",
                                  "no :20:", "empty", "no opening before the lines", "opening after the lines",
                                  "account after the lines", "mojibake"])
def test_each_error_of_the_whole_read_is_raised_streamed(cfg, tmp_path, monkeypatch, name):
    path = tmp_path / "s.sta"
    path.write_text(_broken(name), encoding="utf-8")
    imp = importer(cfg, "mt940")
    whole = outcome(imp._whole, path)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    assert outcome(imp.parse, path) == whole
    if name.startswith(("opening after", "account after")):
        assert whole[0] != "error"   # read, but by the whole read: the stream cannot tell
    else:
        assert whole[0] == "error"
    if name == "unknown field after a bad line":
        assert ":99X:" in whole[1]
    if name == "two accounts":
        assert "statements of 2 accounts" in whole[1]


@pytest.mark.parametrize("name", ["bad :61:", "bad opening", "bad closing", "bad date", "unknown field", "cut off",
                                  "unknown field after a bad line", "two accounts", "closing in another currency",
                                  "no opening before the lines", "no :20:", "empty", "mojibake"])
def test_a_large_file_says_the_streams_error_without_reading_it_whole(cfg, tmp_path, monkeypatch, name):
    """Past text.ERRORS_WHOLE_UP_TO the file is not read again whole (9 to 25 times its
    bytes) only to say the error the whole read says first: the stream's own error is
    said, with the file and its line; where the two read the same error first, the same."""
    path = tmp_path / "s.sta"
    path.write_text(_broken(name), encoding="utf-8")
    streamed, whole = large_error(importer(cfg, "mt940"), path, monkeypatch)
    if name in ("unknown field after a bad line", "two accounts"):
        assert streamed[1].startswith(f"{path}:8: :61: expected value date")   # the first in the file
    else:
        assert streamed == whole


@pytest.mark.parametrize("data, encoding, message", [
    (ENVELOPE.encode("cp1252"), "utf-8", "not valid utf-8 text"),
    (ENVELOPE.encode("utf-8") + b"\xff\xfe" * 3, "ascii", "not valid ascii text"),
])
def test_text_not_in_the_configured_encoding_says_so_streamed(cfg, tmp_path, monkeypatch, data, encoding, message):
    path = tmp_path / "s.sta"
    path.write_bytes(data)
    imp = importer(cfg, "mt940")
    imp.source = replace(imp.source, encoding=encoding)
    whole = outcome(imp._whole, path)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    assert outcome(imp.parse, path) == whole and message in whole[1]
    # past ERRORS_WHOLE_UP_TO text_stream, which decoded it through, says it: no whole read
    assert large_error(imp, path, monkeypatch) == (whole, whole)


def test_the_byte_limit_is_the_whole_reads(cfg, tmp_path, monkeypatch):
    path = tmp_path / "s.sta"
    path.write_text(ENVELOPE * 50, encoding="utf-8")
    monkeypatch.setattr(text, "MAX_BYTES", 1024)
    imp = importer(cfg, "mt940")
    whole = outcome(imp._whole, path)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    assert outcome(imp.parse, path) == whole and "larger than" in whole[1]


def test_progress_is_reported_in_bytes_of_the_file(cfg, tmp_path, monkeypatch):
    path = tmp_path / "s.sta"
    # statements of their own (one listed again would be read once, and whole: Repeats)
    path.write_text("".join(ENVELOPE.replace(":28C:1/1", f":28C:{n}/1") for n in range(3000)), encoding="utf-8")
    imp = importer(cfg, "mt940")
    seen = []
    imp.on_progress = lambda done, total: seen.append((done, total))
    _streamed(monkeypatch, 4096)
    assert imp.parse(str(path)).rows == 6000
    size = path.stat().st_size
    assert seen[-1] == (size, size) and len(seen) > 3 and all(t == size for _, t in seen)


# -- generated statements ----------------------------------------------------------------

WORDS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz0123456789/?+-.,\u00e4\u00fc\u20ac",
                min_size=0, max_size=150)


@st.composite
def mt940_files(draw) -> str:
    """Statements as banks write them: envelopes or not, `-` between them or not, header
    lines, :86: wrapped at 65 characters mid-word or at shorter lines, supplementary
    :61: lines, C/D/RC/RD, zero amounts, repeated identical lines, wrong closings."""
    out = []
    for n in range(draw(st.integers(1, 4))):
        style = draw(st.sampled_from(["bare", "dash", "envelope", "header"]))
        if style == "envelope":
            out.append("{1:F01INGBNL2AXXXX0000000000}{2:O940}{4:")
        elif style == "header":
            out += ["ABNANL2A", "940"]
        account = draw(st.sampled_from(["NL20INGB0001234567", "NL20INGB0001234567", "DE89370400440532013000"]))
        out += [f":20:REF{n}", f":25:{account}", f":28C:{n}/1", f":60F:C26030{n + 1}EUR100,"]
        total = 10000   # cents
        lines = draw(st.lists(st.tuples(st.sampled_from(["C", "D", "RC", "RD"]), st.integers(0, 500),
                                        st.booleans(), st.none() | WORDS, st.integers(20, 65)), max_size=6))
        for mark, amount, supplementary, info, width in lines:
            out.append(f":61:26030{n + 2}030{n + 2}{mark}{amount},50NTRFNONREF//B{amount}")
            total += (1 if mark in ("C", "RD") else -1) * (amount * 100 + 50)
            if supplementary:
                out.append("NL70ABNA0987654321")
            if info is not None:
                first = ":86:" + info
                out += [first[:65]] + [first[i:i + width] for i in range(65, len(first), width)]
        closing = draw(st.sampled_from([total, total + 100]))
        amount = f"{abs(closing) // 100},{abs(closing) % 100:02d}"
        out.append(f":62F:{'C' if closing >= 0 else 'D'}26030{n + 2}EUR{amount}")
        if draw(st.booleans()):
            out.append(f":64:C26030{n + 2}EUR{amount}")
        out.append({"bare": "", "dash": "-", "envelope": "-}{5:}", "header": "-"}[style])
    return draw(st.sampled_from(["\n", "\r\n"])).join(out) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mt940_files(), st.integers(1, 97), st.sampled_from(["utf-8", "cp1252"]),
       st.sampled_from([None, "1234567", "999"]))
def test_generated_statements_streamed_give_the_whole_reads_books(cfg, tmp_path, monkeypatch, body, chunk, encoding,
                                                                   account_id):
    path = tmp_path / "g.sta"
    path.write_bytes(body.encode(encoding))
    imp = importer(cfg, "mt940", account_id)
    whole = outcome(imp._whole, path)
    with monkeypatch.context() as m:
        m.setattr(text, "STREAM_FROM", 0)
        m.setattr(text, "CHUNK", chunk)
        if whole[0] != "error":   # a file the whole read reads, the stream reads too
            m.setattr(mt940.Importer, "_whole", lambda self, p: pytest.fail(f"{p} was read whole"))
        assert outcome(imp.parse, path) == whole


# Traps of real files (the wild corpus of 2026-12), each read whole and streamed.

def _txns(entries) -> list[tuple]:
    return [(str(e.date), e.postings[0].units.number, e.payee, e.narration, e.meta["id"])
            for e in entries if hasattr(e, "postings") and e.postings[1].account != "Equity:Opening-Balances"]


def test_a_statement_sent_as_one_line_with_hbci_line_breaks(cfg, tmp_path, monkeypatch):
    # Volksbank Mittelhessen (through FinTS) sends the statement as one line, `@@` for each line break
    path = tmp_path / "vb.sta"
    path.write_text("@@:20:STARTUMS@@:25:57090000/1076103000@@:28C:2/1@@:60F:C180213EUR2323,42"
                    "@@:61:1802130213DR3799,45NMSCNONREF@@:86:177?00HBCI-Euro-\u00dcberweisung?20SVWZ+Re.Nr. 12345"
                    "@@?32Megahard GmbH@@:62F:D180213EUR1476,03@@", encoding="utf-8")
    imp = importer(cfg, "mt940")
    assert imp.identify(str(path))
    streamed, whole = both(imp, path, monkeypatch)
    assert streamed == whole
    entries = whole[1]
    [(day, amount, payee, memo, _)] = _txns(entries)
    assert (day, amount, payee, memo) == ("2018-02-13", Decimal("-3799.45"), "Megahard GmbH", "Re.Nr. 12345")
    assert [(str(b.date), b.amount.number) for b in entries if isinstance(b, data.Balance)] == \
        [("2018-02-14", Decimal("-1476.03"))]
    assert whole[4] == []   # opening + line = closing: no note


def test_no_type_before_nonref_is_the_reference_and_the_line_keeps_its_id(cfg, tmp_path, monkeypatch):
    # Penta writes no transaction type: `D20,00NONREF` is the reference NONREF, not a type `NONR`
    # and a reference `EF` as it was read before; the id that releases before LineIds.of gave it
    # (made of those) is the one it was (`_was`), which books they wrote hold.
    path = tmp_path / "penta.sta"
    path.write_text(":20:PENTA1602951605571\n:21:NONREF\n:25:11010100/2324817618\n:28C:1\n"
                    ":60F:C200930EUR100,00\n:61:2009020902D20,00NONREF\n"
                    ":86:999SEPA_STANDING_ORDER:Unkostenbeitrag:Campus Business Box e.V.\n"
                    ":62F:C200930EUR80,00", encoding="utf-8")
    imp = importer(cfg, "mt940")
    streamed, whole = both(imp, path, monkeypatch)
    assert streamed == whole
    [line] = [e for e in whole[1] if isinstance(e, data.Transaction) and "type" not in e.meta
              and e.postings[0].units.number == Decimal("-20.00")]
    assert "customer-ref" not in line.meta and "bank-ref" not in line.meta
    from beanclear.importers.banking import LineIds
    old = LineIds()(dt.date(2020, 9, 2), Decimal("-20.00"), "EUR", "11010100/2324817618", "NONR", "EF", "",
                    "200902", "", "999SEPA_STANDING_ORDER:Unkostenbeitrag:Campus Business Box e.V.")
    assert line.meta["_was"] == (old,) and line.meta["id"] != old


def test_a_second_account_inside_one_statement_is_refused(cfg, tmp_path, monkeypatch):
    # betterplace's broken snippet: a :25: where the line's :86: belongs; its line would go to the first account
    path = tmp_path / "two25.sta"
    path.write_text(":20:T089414086000001\n:25:50880050/0194787400888\n:28C:00004/00001\n:60F:C070903EUR100,00\n"
                    ":61:0709070904CR50,05NTRFNONREF//0724710333343453\n:25:166?00GUTSCHRIFT?20EREF+E1\n"
                    ":62F:C070904EUR150,05\n", encoding="utf-8")
    imp = importer(cfg, "mt940")
    streamed, whole = both(imp, path, monkeypatch, whole_allowed=True)
    assert streamed == whole == ("error", f"{path}:6: a second account :25:166?00GUTSCHRIFT?20EREF+E1 in the "
                                 "statement of line 1, which is of account 50880050/0194787400888 (expected one "
                                 ":25: a statement, each statement after its :20:)")


@pytest.mark.parametrize("separator", ["-", "-+@446@"])
def test_pending_lines_of_an_mt942_after_the_mt940_are_skipped(cfg, tmp_path, monkeypatch, separator):
    # A Sparkasse FinTS export "with Vormerkposten": the booked statement, then an MT942 of a
    # pending line, which comes again booked in a later MT940; between them `-`, or the
    # framing of the FinTS response (`-+@446@`) where a client saved the response as it came
    path = tmp_path / "vormerk.sta"
    path.write_text(":20:STARTUMSE\r\n:25:57050120/0000211003\r\n:28C:00000/001\r\n:60F:C180302EUR1337,00\r\n"
                    ":61:1803050305CR1337,00N062NONREF\r\n:86:999PN5477SCHECK-NR. 0000016703074\r\n"
                    f":62F:C180305EUR2674,00\r\n{separator}\r\n:20:STARTDISPE\r\n:25:57050120/0000211003\r\n:28C:00000/001\r\n"
                    ":34F:EURD1337,00\r\n:13:1803051059\r\n:61:1803060305DR14,99NDDTNONREF\r\n"
                    ":86:999PN5477SCHECK-NR. 0000016703074\r\n:90D:1EUR14,99\r\n:90C:0EUR0,00\r\n", encoding="utf-8")
    imp = importer(cfg, "mt940")
    streamed, whole = both(imp, path, monkeypatch)
    assert streamed == whole
    assert [(day, amount) for day, amount, *_ in _txns(whole[1])] == [("2018-03-05", Decimal("1337.00"))]
    assert whole[2] == 2 and whole[3] == {"pending line of an MT942 interim report (booked when an MT940 lists it)": 1}
    assert [(str(b.date), b.amount.number) for b in whole[1] if isinstance(b, data.Balance)] == \
        [("2018-03-06", Decimal("2674.00"))]
