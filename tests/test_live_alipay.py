"""Alipay: the bill download address through python-alipay-sdk (RSA2 request, answer
verified), the zip unpacked to the 账务明细 / 业务明细 CSVs, archived and imported; a
bill not generated yet retried; an answer signed by another key refused."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import unquote

import pytest
import yaml

from beanclear import config as config_mod
from beanclear.live import fetch

from live_servers import AlipayServer, pem_private, pem_public, rsa_key
from live_util import FAST, write_config
from statement_files import fund_ledger, trade_detail

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def alipay(tmp_path):
    app_key = rsa_key()
    with AlipayServer("2021000000000001", app_key) as server:
        made = tmp_path / "made"
        made.mkdir()
        server.bills[("signcustomer", "2026-03-01")] = fund_ledger(made).read_bytes()
        server.bills[("trade", "2026-03-01")] = trade_detail(made).read_bytes()
        cfg = write_config(tmp_path / "m", yaml.safe_dump({
            "books": "books", "timezone": "Asia/Shanghai", "live": FAST,
            "channels": {"alipay": {"type": "alipay", "settlement_days": 1,
                                    "fetch": {"api_base": f"{server.url}/gateway.do"}}}}))
        (tmp_path / "alipay_public.pem").write_text(pem_public(server.alipay_key))
        environ = {"ALIPAY_APP_ID": "2021000000000001", "ALIPAY_PRIVATE_KEY": pem_private(app_key),
                   "ALIPAY_PUBLIC_KEY": str(tmp_path / "alipay_public.pem")}
        yield server, cfg, environ


def test_alipay_fetch_unzip_archive_import(alipay):
    server, cfg, environ = alipay
    report = fetch.run(config_mod.load(cfg), today=DAY + dt.timedelta(days=1), environ=environ)
    assert report.failures == [], report.failures
    folder = cfg.parent / "statements" / "alipay"
    assert (folder / "fund-2026-03-01.csv").read_bytes() == server.bills[("signcustomer", "2026-03-01")]
    assert (folder / "trade-2026-03-01.csv").read_bytes() == server.bills[("trade", "2026-03-01")]
    month = (cfg.parent / "books" / "alipay" / "2026" / "2026-03.beancount").read_text()
    assert "2026030122001100001" in month and "payout-310007" in month


def test_alipay_not_ready_then_ready_and_a_forged_answer(alipay):
    server, cfg, environ = alipay
    server.faults.append(("/gateway.do", "not-ready"))
    report = fetch.run(config_mod.load(cfg), since=DAY, until=DAY, environ=environ, do_import=False)
    assert report.failures == [] and len([r for r in server.requests if "/gateway.do" in r[1]]) == 3
    (cfg.parent / "statements" / "alipay" / "trade-2026-03-01.csv").unlink()
    server.faults.append(("/gateway.do", "bad-signature"))
    report = fetch.run(config_mod.load(cfg), since=DAY, until=DAY, environ=environ, do_import=False)
    assert len(report.failures) == 1 and "does not verify against the Alipay public key" in report.failures[0]


def test_alipay_never_ready_is_a_failure_saying_when_bills_come(alipay):
    server, cfg, environ = alipay
    report = fetch.run(config_mod.load(cfg), since=DAY + dt.timedelta(days=1), until=DAY + dt.timedelta(days=1),
                       environ=environ)
    assert len(report.failures) == 1 and "bills come the day after" in report.failures[0]
    assert "after 3 tries" in report.failures[0]


def _quiet(made, day: dt.date) -> dict[str, bytes]:
    """Alipay's two bills of a quiet `day`: the preamble stating it, no row, sums of 0."""
    period = (f"{day:%Y年%m月%d日} 00:00:00]   终止日期：[{day + dt.timedelta(days=1):%Y年%m月%d日}").encode("gb18030")
    was = "2026年03月01日 00:00:00]   终止日期：[2026年03月02日".encode("gb18030")
    fund = fund_ledger(made, rows=[], footer=["#支出合计：0笔，共0.00元", "#收入合计：0笔，共0.00元"], name="quiet-fund.csv")
    trade = trade_detail(made, rows=[], footer=["#交易合计：0笔，商家实收共0.00元，商家优惠共0.00元",
                                                "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元"],
                         name="quiet-trade.csv")
    return {"signcustomer": fund.read_bytes().replace(was, period), "trade": trade.read_bytes().replace(was, period)}


def test_a_bill_of_another_day_than_asked_is_refused_not_archived_and_the_day_asked_again(alipay, tmp_path):
    # blind24: a proxy (or the API) answered 12-04's bills when asked for 12-05; fetch archived
    # them as fund-2026-12-05.csv, booked nothing, exited 0 with the channel ok, and never
    # asked for 12-05 again (the day archived)
    server, cfg, environ = alipay
    nxt = DAY + dt.timedelta(days=1)
    for kind in ("signcustomer", "trade"):
        server.bills[(kind, str(nxt))] = server.bills[(kind, str(DAY))]
    report = fetch.run(config_mod.load(cfg), since=DAY, until=nxt, today=nxt + dt.timedelta(days=1), environ=environ)
    assert len(report.failures) == 1, report.failures
    said = report.failures[0]
    assert said.startswith(f"alipay: {nxt}: fund-{nxt}.csv: the answer for {nxt} is another day's (it states "), said
    assert f"a statement of {DAY}): not archived; {nxt} is asked for again by the next `beanclear fetch`" in said
    folder = cfg.parent / "statements" / "alipay"
    assert sorted(p.name for p in folder.iterdir()) == [f"fund-{DAY}.csv", f"trade-{DAY}.csv"]
    state = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["alipay"]
    assert (state["state"], state["failed_day"], state["last_ok"]) == ("failed", str(nxt), str(DAY))
    assert "2026030122001100001" in (cfg.parent / "books" / "alipay" / "2026" / "2026-03.beancount").read_text()
    # the day is still owed: the next plain fetch asks for it, and a quiet day's bills (a
    # preamble, no row) are archived and imported as any day's
    server.bills.update({(kind, str(nxt)): bill for kind, bill in _quiet(tmp_path / "made", nxt).items()})
    asked = len(server.requests)
    again = fetch.run(config_mod.load(cfg), today=nxt + dt.timedelta(days=1), environ=environ)
    assert again.failures == [], again.failures
    assert any(str(nxt) in unquote(path) for _, path in server.requests[asked:])
    assert (folder / f"fund-{nxt}.csv").read_bytes() == server.bills[("signcustomer", str(nxt))]
    assert (folder / f"trade-{nxt}.csv").is_file()
    state = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["alipay"]
    assert (state["state"], state["last_ok"]) == ("ok", str(nxt))
    month = (cfg.parent / "books" / "alipay" / "2026" / "2026-03.beancount").read_text()
    assert f'"beanclear-coverage" "alipay" {nxt}' in month


def test_a_bill_archived_before_as_another_day_s_is_said_for_what_it_is_not_imported_now(alipay, tmp_path):
    # blind24: archived so before answers were judged, 03-01's bills named 03-02's were said
    # "archived before but not in the books: imported now" at every fetch, then "imported
    # before as fund-2026-03-01.csv … not read again": exit 0, and 03-02 never asked for
    server, cfg, environ = alipay
    nxt = DAY + dt.timedelta(days=1)
    assert fetch.run(config_mod.load(cfg), since=DAY, until=DAY, environ=environ).failures == []
    folder = cfg.parent / "statements" / "alipay"
    for kind in ("fund", "trade"):
        (folder / f"{kind}-{nxt}.csv").write_bytes((folder / f"{kind}-{DAY}.csv").read_bytes())
    report = fetch.run(config_mod.load(cfg), today=nxt + dt.timedelta(days=1), environ=environ)
    assert not [line for line in report.lines if "imported now" in line], report.lines
    assert [f.split(": ")[:3] for f in report.failures] == [["alipay", str(nxt), f"fund-{nxt}.csv"],
                                                            ["alipay", str(nxt), f"trade-{nxt}.csv"]]
    said = report.failures[0]
    assert f"archived before as the answer for {nxt}, but it is another day's (it states " in said, said
    assert (f"a statement of {DAY}): not imported, and {nxt} is not in the books; remove {folder / f'fund-{nxt}.csv'} "
            f"and run `beanclear fetch` again: it asks for {nxt} again") in said, said
    state = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["alipay"]
    assert (state["state"], state["failed_day"]) == ("failed", str(nxt))
    # as it says: the files removed, the day is asked for again
    server.bills.update({(kind, str(nxt)): bill for kind, bill in _quiet(tmp_path / "made", nxt).items()})
    for kind in ("fund", "trade"):
        (folder / f"{kind}-{nxt}.csv").unlink()
    report = fetch.run(config_mod.load(cfg), today=nxt + dt.timedelta(days=1), environ=environ)
    assert report.failures == [], report.failures
    assert (folder / f"fund-{nxt}.csv").read_bytes() == server.bills[("signcustomer", str(nxt))]
