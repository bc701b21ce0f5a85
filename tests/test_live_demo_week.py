"""`beanclear serve` on the demo merchant, against local WeChat Pay and Stripe servers
serving the demo's statements one day at a time: the scheduled jobs fetch a week day by
day (each morning, yesterday), and the books end byte-identical to importing the same
archived files by hand."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from click.testing import CliRunner

from beanclear import cli
from beanclear.live.serve import merchant as merchant_mod

from live_servers import StripeServer, WechatServer, rsa_key
from live_serving import running
from live_util import FAST, split_bill, stripe_from_report, wechat_env

FIRST = dt.date(2026, 1, 5)
WEEK = [FIRST + dt.timedelta(days=n) for n in range(7)]


@pytest.fixture
def demo_statements(demo_copy) -> Path:
    return demo_copy(problems=False)   # built once per session, shared with the other tests that use it


def _books(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def test_serve_fetches_a_week_day_by_day_books_equal_a_hand_import(demo_statements, tmp_path):
    src = demo_statements / "statements"
    key = rsa_key()
    env = wechat_env(tmp_path, key, mchid="1601959334")
    trade = split_bill((src / "wechat" / "tradebill-2026-01.csv").read_text(encoding="utf-8"))
    fund = split_bill((src / "wechat" / "fundflow-2026-01.csv").read_text(encoding="utf-8"))
    txns = stripe_from_report(next((src / "stripe").glob("*.csv")).read_text(encoding="utf-8"))
    with WechatServer(env["WECHATPAY_MCHID"], key, env["WECHATPAY_APIV3_KEY"]) as wechat_api, \
            StripeServer("sk_test_demo", txns) as stripe_api:
        for day in WEEK:
            wechat_api.bills[("tradebill", str(day))] = trade[str(day)].encode()
            wechat_api.bills[("fundflow", str(day))] = fund[str(day)].encode()
        conf = yaml.safe_load((demo_statements / "config.yaml").read_text(encoding="utf-8"))
        conf["live"] = FAST
        conf["channels"]["wechat"]["fetch"] = {"api_base": wechat_api.url, "since": str(FIRST)}
        conf["channels"]["stripe"]["fetch"] = {"api_base": stripe_api.url, "since": str(FIRST)}
        served, by_hand = tmp_path / "served", tmp_path / "by-hand"
        for root in (served, by_hand):
            root.mkdir()
            (root / "config.yaml").write_text(yaml.safe_dump(conf, allow_unicode=True), encoding="utf-8")
        merchant = merchant_mod.load(served / "config.yaml", environ={**env, "STRIPE_API_KEY": "sk_test_demo"})
        with running([merchant], schedule=True) as (url, server):
            sched = server.config.app.state.scheduler
            done, errors = threading.Semaphore(0), []
            sched.add_listener(lambda e: (errors.append(e.exception) if e.exception else None, done.release()),
                               EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
            for day in WEEK:
                merchant.today = lambda day=day: day + dt.timedelta(days=1)   # the morning after
                for source in ("wechat", "stripe"):
                    sched.get_job(f"merchant:{source}").modify(next_run_time=dt.datetime.now(dt.timezone.utc))
                    assert done.acquire(timeout=60), f"the {source} job of {day} did not run"
                assert errors == []
    archived = sorted(p.name for p in (served / "statements").rglob("*") if p.is_file())
    assert archived == sorted([f"tradebill-{d}.csv" for d in WEEK] + [f"fundflow-{d}.csv" for d in WEEK]
                              + [f"balance-transactions-{d}.json" for d in WEEK])
    status = (served / ".beanclear-live.json").read_text()
    assert '"last_ok": "2026-01-11"' in status and '"state": "failed"' not in status
    for source in ("wechat", "stripe"):
        result = CliRunner().invoke(cli.main, ["import", "-c", str(by_hand / "config.yaml"),
                                               str(served / "statements" / source)])
        assert result.exit_code == 0, result.output
    books_served, books_by_hand = _books(served / "books"), _books(by_hand / "books")
    assert "wechat/2026/2026-01.beancount" in books_served and "stripe/2026/2026-01.beancount" in books_served
    wechat_month = books_served["wechat/2026/2026-01.beancount"].decode()
    assert wechat_month.count("2026-01-11 *") > 10 and "2026-01-04 *" not in wechat_month
    assert wechat_month.count('custom "beanclear-coverage"') == 14   # a trade and a fund bill a day
    assert books_served.keys() == books_by_hand.keys()
    for name in books_served:
        assert books_served[name] == books_by_hand[name], name
