"""Statements dropped on the Reconciliation page (fava_page/upload.py), through Fava's
own application: the same books as `beanclear import` of the same bytes, the file
archived under statements/<source>/, and a bad or refused upload writes nothing."""

from __future__ import annotations

import io
import re
import shutil

import pytest

from beanclear.fava_page import upload
from conftest import TRADE, bank_file, beanclear, sample, snapshot
from fava_util import PAGE

fava_application = pytest.importorskip("fava.application")
from test_fava_page import Fava  # noqa: E402


def started(folder):
    """A merchant whose books hold its bank statement; the WeChat trade bill is not imported
    and not in statements/ (it comes from elsewhere: the samples)."""
    (folder / "statements" / TRADE).unlink()
    assert beanclear(folder, "import", str(folder / "statements" / "bank.csv")).exit_code == 0
    return folder


@pytest.fixture
def twins(merchant, tmp_path_factory):
    other = tmp_path_factory.mktemp("twin") / "merchant"
    shutil.copytree(merchant, other)
    return started(merchant), started(other)


def send(fava, files, origin="http://localhost", field="statement", options=None, **headers):
    data = {field: [(io.BytesIO(content), name) for name, content in files], **(options or {})}
    if origin is not None:
        headers["Origin"] = origin
    return fava.client.post(f"/{fava.slug}/{PAGE}upload", data=data, content_type="multipart/form-data",
                            headers=headers)


def test_an_upload_writes_the_books_beanclear_import_writes_and_keeps_the_file(twins):
    by_cli, by_page = twins
    trade = sample("wechat_merchant", TRADE)
    result = beanclear(by_cli, "import", str(trade))
    assert result.exit_code == 0, result.output
    fava = Fava(by_page)
    unchanged = snapshot(by_page / "books")
    response = send(fava, [(TRADE, trade.read_bytes())])
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    # only the files whose bytes changed: a blind tester's answer listed main.beancount,
    # rewritten with the same bytes
    now = snapshot(by_page / "books")
    assert answer["written"] == sorted(f"books/{k}" for k in now if unchanged.get(k) != now[k])
    assert snapshot(by_page / "books") == snapshot(by_cli / "books")
    assert answer["summary"] == [f"statements/wechat/{TRADE}: wechat (wechat trade bill), 3 rows read, "
                                 "3 entries written, 0 already in the books"]
    assert answer["archived"] == [f"statements/wechat/{TRADE}"]
    assert "books/wechat/2021/2021-01.beancount" in answer["written"]
    assert (by_page / "statements" / "wechat" / TRADE).read_bytes() == trade.read_bytes()
    assert not [p for p in (by_page / "statements").iterdir() if p.name.startswith(upload.STAGING)]
    # the page shows the new entries: Fava was told which files changed
    assert "S20210128153505214586" in fava.client.get(f"/{fava.slug}/journal/").get_data(as_text=True)

    # again: nothing new, the archive is not doubled; and `beanclear import statements/` agrees
    before = snapshot(by_page / "books")
    again = send(fava, [(TRADE, trade.read_bytes())])
    assert again.status_code == 200 and "imported before (covering " in again.get_json()["summary"][0]
    # the command's "to read it again: --force" in the page's terms: its "read again" box
    assert again.get_json()["summary"][0].endswith('(to read it again: tick "read again", or remove its coverage '
                                                   'record)')
    assert again.get_json()["written"] == []
    assert snapshot(by_page / "books") == before
    assert sorted(p.name for p in (by_page / "statements" / "wechat").iterdir()) == [TRADE]
    assert beanclear(by_page, "import", str(by_page / "statements" / "wechat")).exit_code == 0
    assert snapshot(by_page / "books") == before


def test_a_summary_beside_a_statement_is_left_out_and_not_kept(twins, tmp_path):
    # the unzipped Alipay download dropped whole: its 汇总 is said, not archived (as reference rates)
    from statement_files import fund_summary
    _, by_page = twins
    fava = Fava(by_page)
    summed = fund_summary(tmp_path)
    response = send(fava, [(TRADE, sample("wechat_merchant", TRADE).read_bytes()), (summed.name, summed.read_bytes())])
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["summary"][1] == f"{summed.name}: left out: Alipay's 账务汇总, the summary that comes beside the " \
                                   "账务明细 in its download: it moves no money (it sums the 账务明细's rows); the 账务明细 " \
                                   "is the statement to import"
    assert answer["archived"] == [f"statements/wechat/{TRADE}"]
    assert not (by_page / "statements" / "prices").exists()
    assert not [p for p in (by_page / "statements").iterdir() if p.name.startswith(upload.STAGING)]


def test_written_lists_only_the_files_whose_bytes_changed(twins, tmp_path):
    # a blind tester's April bank statement answered books/main.beancount among the
    # files written: rewritten, its bytes the same (its include of the bank's months
    # already held April); Fava was told to reload it, and the person looked for a change
    _, by_page = twins
    fava = Fava(by_page)
    before = snapshot(by_page / "books")
    february = bank_file(tmp_path, "feb.csv", rows=("2021-02-03,B003,房租,某某置业,-100.00,400.03",))
    response = send(fava, [("feb.csv", february.read_bytes())])
    assert response.status_code == 200, response.get_data(as_text=True)
    after = snapshot(by_page / "books")
    assert response.get_json()["written"] == sorted(f"books/{k}" for k in after if before.get(k) != after[k])
    assert response.get_json()["written"] == ["books/ops/2021/2021-02.beancount"]


def test_written_lists_only_what_this_upload_wrote_not_what_another_wrote_meanwhile(twins, tmp_path, monkeypatch):
    """blind17 favaonly: two uploads of one statement at once; the one that wrote nothing
    ("0 entries written, 3 already in the books") listed the other's files as written."""
    _, by_page = twins
    fava = Fava(by_page)
    trade = sample("wechat_merchant", TRADE).read_bytes()
    real = upload.importing.run
    first = []

    def with_another_upload_first(config, paths, **options):
        # the other request, the same bytes, runs while this one has read the books' stamps
        if not first:
            other = tmp_path / "other"
            other.mkdir()
            (other / TRADE).write_bytes(trade)
            first.extend(real(config, [other / TRADE], source=options.get("source")))
        return real(config, paths, **options)
    monkeypatch.setattr(upload.importing, "run", with_another_upload_first)
    response = send(fava, [(TRADE, trade)])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "3 entries written" in first[0].summary()
    assert response.get_json()["summary"][0].endswith("0 entries written, 3 already in the books") or \
        "imported before" in response.get_json()["summary"][0]
    assert response.get_json()["written"] == []


def test_a_bad_file_answers_file_line_and_writes_nothing(twins):
    merchant, _ = twins
    fava = Fava(merchant)
    books, statements = snapshot(merchant / "books"), snapshot(merchant / "statements")
    trade = sample("wechat_merchant", TRADE).read_bytes()
    bank = "\n".join(["工商银行账户明细", "账号：6222", "", "交易日期,交易流水号,摘要,对方户名,交易金额,余额",
                      "2021-02-30,B009,房租,某某置业,-500.00,0.03"]).encode()
    response = send(fava, [(TRADE, trade), ("feb.csv", bank)])
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error.startswith("feb.csv:5: ") and error.endswith("nothing was written"), error
    assert snapshot(merchant / "books") == books and snapshot(merchant / "statements") == statements
    unknown = send(fava, [("notes.txt", "nothing a bank would write\n".encode())])
    assert unknown.status_code == 400 and unknown.get_json()["error"].startswith("notes.txt:1: ")
    assert snapshot(merchant / "books") == books and snapshot(merchant / "statements") == statements


@pytest.mark.parametrize("case", ["other-site", "no-origin", "cross-site-fetch", "json", "unknown-field",
                                  "no-file", "folder-name", "hidden-name", "control-name", "twice", "too-many",
                                  "too-big"])
def test_refused_uploads_write_nothing(twins, monkeypatch, case):
    merchant, _ = twins
    fava = Fava(merchant)
    books, statements = snapshot(merchant / "books"), snapshot(merchant / "statements")
    bank = (merchant / "statements" / "bank.csv").read_bytes()
    one = [("bank2.csv", bank)]
    if case == "other-site":
        response, status = send(fava, one, origin="http://evil.example"), 403
    elif case == "no-origin":
        response, status = send(fava, one, origin=None), 403
    elif case == "cross-site-fetch":
        response, status = send(fava, one, origin=None, **{"Sec-Fetch-Site": "cross-site"}), 403
    elif case == "json":
        response = fava.client.post(f"/{fava.slug}/{PAGE}upload", json={"statement": "x"},
                                    headers={"Origin": "http://localhost"})
        status = 415
    elif case == "unknown-field":
        response, status = send(fava, one, field="path"), 400
    elif case == "no-file":
        response = fava.client.post(f"/{fava.slug}/{PAGE}upload", data={}, content_type="multipart/form-data",
                                    headers={"Origin": "http://localhost"})
        status = 400
    elif case == "folder-name":
        response, status = send(fava, [("../../books/main.beancount", bank)]), 400
    elif case == "hidden-name":
        response, status = send(fava, [(".beanclear.lock", bank)]), 400
    elif case == "control-name":
        response, status = send(fava, [("a\u202ecsv.exe", bank)]), 400
    elif case == "twice":
        response, status = send(fava, one + one), 400
    elif case == "too-many":
        response, status = send(fava, [(f"b{n}.csv", bank) for n in range(upload.MAX_FILES + 1)]), 413
    else:
        monkeypatch.setattr(upload, "MAX_BYTES", 1000)
        response, status = send(fava, [("big.csv", bank + b"," * 2000)]), 413
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]
    assert snapshot(merchant / "books") == books and snapshot(merchant / "statements") == statements


def test_a_statement_of_a_closed_month_is_refused_as_the_pages_actions_are_409_reopen_a_command(twins):
    # A blind tester: the page's refusals were 400 or 409 by where they came from, and
    # told of `beanclear reopen` as if the page had it. A closed month is the books'
    # refusal, 409 as for accept or link; reopening is a command-line step.
    _, merchant = twins
    (merchant / "books" / "periods.beancount").write_text('2021-01-31 custom "beanclear-close" "2021-01"\n',
                                                         encoding="utf-8")
    fava = Fava(merchant)
    books = snapshot(merchant / "books")
    refused = send(fava, [(TRADE, sample("wechat_merchant", TRADE).read_bytes())])
    error = refused.get_json()["error"]
    assert refused.status_code == 409 and "2021-01 is closed" in error, error
    assert error.endswith('reopen 2021-01 first (a command-line step: `beanclear reopen 2021-01 --reason "…"`); '
                          "nothing was written")
    assert snapshot(merchant / "books") == books


def test_a_name_taken_by_other_bytes_keeps_both_files(twins):
    merchant, _ = twins
    fava = Fava(merchant)
    kept = merchant / "statements" / "ops" / "feb.csv"
    kept.parent.mkdir()
    kept.write_bytes(b"a person's own file\n")
    bank = "\n".join(["工商银行账户明细", "账号：6222", "", "交易日期,交易流水号,摘要,对方户名,交易金额,余额",
                      "2021-02-01,B003,电费,国家电网,-20.00,480.03"]).encode() + b"\n"
    response = send(fava, [("feb.csv", bank)])
    assert response.status_code == 200, response.get_data(as_text=True)
    [archived] = response.get_json()["archived"]
    assert re.fullmatch(r"statements/ops/feb\.[0-9a-f]{12}\.csv", archived)
    assert (merchant / archived).read_bytes() == bank and kept.read_bytes() == b"a person's own file\n"
    assert "1 rows read, 1 entries written, 0 already in the books; balance assertions: 1 written" \
        in response.get_json()["summary"][0]   # the line and its balance


def test_source_and_force_are_the_imports_options(twins):
    """`source` and `force` do what `beanclear import --source --force` does: a file
    read as the named source's (or refused by it), and a statement recorded by its
    digest read again row by row, writing nothing new."""
    by_cli, by_page = twins
    trade = sample("wechat_merchant", TRADE)
    fava = Fava(by_page)
    books = snapshot(by_page / "books")
    wrong = send(fava, [(TRADE, trade.read_bytes())], options={"source": "ops"})
    assert wrong.status_code == 400 and wrong.get_json()["error"].startswith(f"{TRADE}:1: ")
    assert snapshot(by_page / "books") == books
    for options, error in (({"source": "alipay"}, 'source "alipay": not a source of config.yaml (expected one of '
                                                  "ops, wechat)"),
                           ({"force": "yes"}, 'force: expected 1 or nothing, got "yes"')):
        refused = send(fava, [(TRADE, trade.read_bytes())], options=options)
        assert refused.status_code == 400 and refused.get_json()["error"] == error
        assert snapshot(by_page / "books") == books
    first = send(fava, [(TRADE, trade.read_bytes())], options={"source": "wechat", "force": ""})
    assert first.status_code == 200, first.get_data(as_text=True)
    assert beanclear(by_cli, "import", str(trade), "--source", "wechat").exit_code == 0
    assert snapshot(by_page / "books") == snapshot(by_cli / "books")
    written = snapshot(by_page / "books")
    again = send(fava, [(TRADE, trade.read_bytes())], options={"force": "1"})
    assert again.status_code == 200
    assert again.get_json()["summary"] == [f"statements/wechat/{TRADE}: wechat (wechat trade bill), 3 rows read, "
                                           "0 entries written, 3 already in the books"]
    assert snapshot(by_page / "books") == written


def test_the_upload_form_offers_the_sources_and_force(twins):
    merchant, _ = twins
    html = Fava(merchant).client.get(f"/{Fava(merchant).slug}/{PAGE}").get_data(as_text=True)
    form = html[html.index('id="beanclear-upload"'):]
    form = form[:form.index("</form>")]
    assert re.findall(r'<option value="([^"]*)">', form) == ["", "ops", "wechat"]
    assert '<input type="checkbox" name="force" value="1">' in form
