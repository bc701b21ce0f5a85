"""Alipay: the bill download address through python-alipay-sdk (RSA2 request, answer
verified), the zip unpacked to the 账务明细 / 业务明细 CSVs, archived and imported; a
bill not generated yet retried; an answer signed by another key refused."""

from __future__ import annotations

import datetime as dt

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
