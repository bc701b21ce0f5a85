"""`beanclear fetch` against local Stripe and WeChat Pay servers: a T+1 cycle (fetch for
yesterday, import, check), a bill not ready then ready, a timeout, a 500, a response
that does not verify, a day already fetched, different bytes for an archived day."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest
import yaml
from click.testing import CliRunner

from beanclear import cli, config as config_mod
from beanclear.live import fetch
from beanclear.live.secrets import MissingSecret, Secrets

from conftest import SAMPLES
from live_servers import StripeServer, WechatServer, rsa_key
from live_util import FAST, split_bill, stripe_txn, wechat_env, with_timeout, write_config

DAY = dt.date(2026, 3, 1)
TODAY = DAY + dt.timedelta(days=1)


def _stripe_config(root, server, **live):
    return write_config(root, yaml.safe_dump({
        "books": "books", "currency": "USD", "timezone": "Asia/Shanghai",
        "live": {**FAST, **live},
        "channels": {"stripe": {"type": "stripe", "currency": "USD", "settlement_days": 3,
                                "fetch": {"api_base": server.url}}}}))


@pytest.fixture
def stripe_server():
    txns = [stripe_txn("txn_1charge000001", DAY, 10, "charge", 10000, 320, "ch_1charge000001"),
            stripe_txn("txn_1charge000002", DAY, 15, "charge", 5000, 175, "ch_1charge000002"),
            stripe_txn("txn_1refund000001", DAY, 18, "refund", -5000, 0, "re_1refund000001"),
            stripe_txn("txn_1charge000003", TODAY, 9, "charge", 2000, 88, "ch_1charge000003")]
    with StripeServer("sk_test_local123", txns) as server:
        yield server


def test_stripe_t_plus_1_cycle_fetch_import_check(tmp_path, stripe_server, monkeypatch):
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    report = fetch.run(config_mod.load(cfg), today=TODAY)
    assert report.failures == []
    archived = tmp_path / "statements" / "stripe" / "balance-transactions-2026-03-01.json"
    doc = json.loads(archived.read_text())
    assert [t["id"] for t in doc["data"]] == ["txn_1charge000001", "txn_1charge000002", "txn_1refund000001"]
    month = (tmp_path / "books" / "stripe" / "2026" / "2026-03.beancount").read_text()
    assert "txn_1charge000001" in month and "txn_1refund000001" in month and "txn_1charge000003" not in month
    assert "96.80 USD" in month
    # the secret never reaches the archive, the books or the status
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert "sk_test_local123" not in path.read_text(errors="replace"), path
    status = json.loads((tmp_path / ".beanclear-live.json").read_text())
    assert status["sources"]["stripe"]["state"] == "ok" and status["sources"]["stripe"]["last_ok"] == "2026-03-01"
    # check runs on what was fetched
    result = CliRunner().invoke(cli.main, ["check", "-c", str(cfg), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert "findings" in json.loads(result.output)
    # the next morning: the day already fetched is not asked for again
    before = len(stripe_server.requests)
    again = fetch.run(config_mod.load(cfg), today=TODAY)
    assert len(stripe_server.requests) == before and again.failures == [] and again.fetched == []


def test_stripe_fetch_asks_for_each_source_so_a_conversion_says_what_the_customer_paid(tmp_path, monkeypatch):
    # A blind tester's API-only books: each balance transaction's `exchange_rate` without the
    # currency the customer paid, so no converted charge was judged. The day's list asks for
    # its sources expanded (one request as before), and the archive keeps of each what the
    # import reads: not the customer's card, address or email
    charge = {"id": "ch_1gbp00000001", "object": "charge", "amount": 10000, "amount_captured": 10000,
              "currency": "gbp", "billing_details": {"email": "jo@example.com", "name": "Jo"},
              "payment_method_details": {"card": {"last4": "4242"}}}
    converted = {**stripe_txn("txn_1gbp00000001", DAY, 10, "charge", 12731, 400, "ch_1gbp00000001"),
                 "exchange_rate": 1.27305, "source": charge}
    with StripeServer("sk_test_local123", [converted]) as server:
        cfg = _stripe_config(tmp_path, server)
        monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
        report = fetch.run(config_mod.load(cfg), today=TODAY)
    assert report.failures == []
    assert all("expand" in path and "data.source" in path for _, path in server.requests)
    archived = (tmp_path / "statements" / "stripe" / "balance-transactions-2026-03-01.json").read_text()
    assert json.loads(archived)["data"][0]["source"] == {"id": "ch_1gbp00000001", "object": "charge",
                                                        "amount": 10000, "amount_captured": 10000,
                                                        "currency": "gbp"}
    assert "jo@example.com" not in archived and "4242" not in archived
    month = (tmp_path / "books" / "stripe" / "2026" / "2026-03.beancount").read_text()
    assert 'customer-amount: "100.00 GBP"' in month and 'fx-pair: "GBP/USD"' in month


def test_stripe_500_then_ok_is_retried_and_the_key_is_checked(tmp_path, stripe_server, monkeypatch):
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    stripe_server.faults += [("/v1/balance_transactions", "500"), ("/v1/balance_transactions", "500")]
    report = fetch.run(config_mod.load(cfg), today=TODAY)
    assert report.failures == [] and len(stripe_server.requests) == 3
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_wrong")
    report = fetch.run(config_mod.load(cfg), since=TODAY, until=TODAY)
    assert len(report.failures) == 1 and "STRIPE_API_KEY" in report.failures[0]
    assert "sk_test_wrong" not in report.failures[0]


def test_stripe_500_every_time_is_a_fetch_failure_exit_2(tmp_path, stripe_server, monkeypatch):
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    stripe_server.faults += [("/v1/balance_transactions", "500")] * 3
    result = CliRunner().invoke(cli.main, ["fetch", "-c", str(cfg), "--since", "2026-03-01", "--until",
                                           "2026-03-01"])
    assert result.exit_code == 2
    assert "stripe: 2026-03-01" in result.output and "HTTP 500" in result.output and "after 3 tries" in result.output
    assert not (tmp_path / "books").exists() and not (tmp_path / "statements" / "stripe").exists()
    status = json.loads((tmp_path / ".beanclear-live.json").read_text())
    assert status["sources"]["stripe"]["state"] == "failed"


@pytest.mark.parametrize("fault, said", [
    ("cut", "the connection to Stripe was cut before its answer was complete"),
    ("half", "Stripe's answer was not complete JSON (HTTP 200): cut short on the way"),
    ("429", "Stripe asked to slow down (HTTP 429, too many requests)"),
    ("timeout:0.8", "Stripe timed out (after 0.5 s)")])
def test_stripe_failures_say_what_happened_in_words(tmp_path, stripe_server, monkeypatch, fault, said):
    # A blind tester read "Stripe did not answer (APIConnectionError: Unexpected error
    # communicating with Stripe.  If this problem persists,)" for a cut connection, "Stripe
    # failed with HTTP 200" for a cut JSON body and "RateLimitError" for a 429
    cfg = _stripe_config(tmp_path, stripe_server, **({"timeout": 0.5} if fault.startswith("timeout") else {}))
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    stripe_server.faults += [("/v1/balance_transactions", fault)] * 3
    report = fetch.run(config_mod.load(cfg), since=DAY, until=DAY, today=TODAY)
    assert report.failures == [f"stripe: {DAY}: balance-transactions-{DAY}.json: {said} (after 3 tries); run "
                               "`beanclear fetch` again later, or raise live.retry.attempts"]


def test_a_stripe_answer_that_is_an_html_page_is_said_for_what_it_is(tmp_path, stripe_server, monkeypatch):
    # blind24: a whole HTML page with HTTP 200 (a proxy's) is no JSON cut short on the way
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    stripe_server.faults += [("/v1/balance_transactions", "html")] * 3
    report = fetch.run(config_mod.load(cfg), since=DAY, until=DAY, today=TODAY)
    assert report.failures == [
        f"stripe: {DAY}: balance-transactions-{DAY}.json: Stripe's answer is not JSON but an HTML page (HTTP 200, "
        "text/html, 37 bytes: <html><body>Bad gateway</body></html>): a proxy or a captive portal answering in "
        f"Stripe's place? Check the channel's fetch.api_base ({stripe_server.url}) and the proxy settings of this "
        "machine"]
    assert len(stripe_server.requests) == 1


def test_missing_secret_names_the_variable(tmp_path, stripe_server, monkeypatch):
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    result = CliRunner().invoke(cli.main, ["fetch", "-c", str(cfg), "--until", "2026-03-01"])
    assert result.exit_code == 2 and "STRIPE_API_KEY is not set" in result.output


def test_secrets_file_outside_the_books(tmp_path):
    (tmp_path / "merchant.env").write_text("# the merchant's keys\nexport STRIPE_API_KEY='sk_test_file'\n")
    assert Secrets(tmp_path / "merchant.env", environ={}).get("STRIPE_API_KEY") == "sk_test_file"
    assert Secrets(tmp_path / "merchant.env", environ={"STRIPE_API_KEY": "sk_env"}).get("STRIPE_API_KEY") == "sk_env"
    cfg = write_config(tmp_path, "books: books\nlive: {secrets_file: books/keys.env}\nchannels: {}\n")
    with pytest.raises(config_mod.ConfigError, match="live.secrets_file: expected a file outside the books"):
        fetch.run(config_mod.load(cfg))


def test_secrets_file_is_read_as_dotenv_reads_it(tmp_path):
    # A blind tester's `STRIPE_API_KEY='rk_test_GOODKEY'  # comment` was sent as
    # `rk_test_GOODKEY'  # comment`: a quoted value ends at its closing quote, and a ` #`
    # after an unquoted one starts a comment (python-dotenv's rules, docs/live.md)
    (tmp_path / "merchant.env").write_text(
        "STRIPE_API_KEY='rk_test_GOODKEY'  # the restricted key\n"
        "export STRIPE_WEBHOOK_SECRET=whsec_abc # comment\n"
        'PAYPAL_CLIENT_ID="id#1"  # a quoted # is the value\'s\n'
        "PAYPAL_CLIENT_SECRET=sec#ret\n"
        "WECHATPAY_PRIVATE_KEY=-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\n"
        'WECHATPAY_PUBLIC_KEY="-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"\n')
    secrets = Secrets(tmp_path / "merchant.env", environ={})
    assert secrets.get("STRIPE_API_KEY") == "rk_test_GOODKEY"
    assert secrets.get("STRIPE_WEBHOOK_SECRET") == "whsec_abc"
    assert secrets.get("PAYPAL_CLIENT_ID") == "id#1"
    assert secrets.get("PAYPAL_CLIENT_SECRET") == "sec#ret"
    # a PEM key on one line with \n, as before, or quoted over several lines
    assert secrets.pem("WECHATPAY_PRIVATE_KEY") == "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"
    assert secrets.pem("WECHATPAY_PUBLIC_KEY") == "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"
    # a line that is not KEY=VALUE is said with its line number, its text never echoed
    (tmp_path / "bad.env").write_text("STRIPE_API_KEY=rk_ok\nrk_live_pasted_alone\n")
    with pytest.raises(MissingSecret, match=r"bad.env:2: expected KEY=VALUE") as caught:
        Secrets(tmp_path / "bad.env", environ={}).get("STRIPE_API_KEY")
    assert "rk_live_pasted_alone" not in str(caught.value)


def test_a_secret_pasted_into_the_config_is_refused_unechoed(tmp_path):
    cfg = write_config(tmp_path, "channels:\n  stripe:\n    type: stripe\n    credentials: {api_key: sk_live_abc123}\n")
    result = CliRunner().invoke(cli.main, ["fetch", "-c", str(cfg)])
    assert result.exit_code == 2 and "channels.stripe.credentials.api_key" in result.output
    assert "sk_live_abc123" not in result.output


# --- WeChat Pay -------------------------------------------------------------------------

def _wechat_bills():
    trade = (SAMPLES / "wechat_merchant" / "gunsluo-wechatpay-v3-tradebill-ALL.csv").read_text(encoding="utf-8")
    fund = (SAMPLES / "wechat_merchant" / "gunsluo-wechatpay-v3-fundflowbill-Basic.csv").read_text(encoding="utf-8")
    return split_bill(trade), split_bill(fund)


@pytest.fixture
def wechat(tmp_path, monkeypatch):
    key = rsa_key()
    env = wechat_env(tmp_path, key)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with WechatServer(env["WECHATPAY_MCHID"], key, env["WECHATPAY_APIV3_KEY"]) as server:
        trades, funds = _wechat_bills()
        for day, text in trades.items():
            server.bills[("tradebill", day)] = text.encode()
        for day, text in funds.items():
            server.bills[("fundflow", day)] = text.encode()
        cfg = write_config(tmp_path / "m", yaml.safe_dump({
            "books": "books", "timezone": "Asia/Shanghai", "live": FAST,
            "channels": {"wechat": {"type": "wechat", "account_id": "1601959334", "settlement_days": 1,
                                    "fetch": {"api_base": server.url}}}}))
        yield server, cfg


def test_fetch_of_a_bank_or_a_shop_says_it_is_imported_not_fetched(tmp_path):
    """blind26: `fetch chase` said "not a channel of the config": true, but a bank's
    statements are imported, which is what to say; a name the config has nowhere is
    still not a channel of it (must not change)."""
    cfg = write_config(tmp_path / "m", yaml.safe_dump({
        "books": "books", "timezone": "Asia/Shanghai", "live": FAST,
        "channels": {"wechat": {"type": "wechat", "account_id": "1601959334", "settlement_days": 1}},
        "banks": {"chase": {"type": "ofx", "account": "Assets:Bank:Chase", "currency": "CNY"}},
        "shops": {"shop": {"type": "shopify"}}}))
    for name, said in (("chase", "chase: a bank of the config: its statements are imported (beanclear import), "
                                 "not fetched"),
                       ("shop", "shop: a shop of the config: its statements are imported (beanclear import), "
                                "not fetched"),
                       ("alipay", "alipay: not a channel of the config")):
        result = CliRunner().invoke(cli.main, ["fetch", name, "-c", str(cfg)])
        assert result.exit_code == 2 and said in result.output, result.output


def test_wechat_t_plus_1_cycle_signed_verified_gzipped(wechat):
    server, cfg = wechat
    report = fetch.run(config_mod.load(cfg), today=dt.date(2021, 2, 2))
    assert report.failures == [], report.failures
    folder = cfg.parent / "statements" / "wechat"
    assert (folder / "fundflow-2021-02-01.csv").read_bytes() == server.bills[("fundflow", "2021-02-01")]
    assert not (folder / "tradebill-2021-02-01.csv").exists()   # no trades that day: NO_STATEMENT_EXIST
    # ... yesterday's "none" is asked again (not final yet): the day is not last_ok till then
    # (blind31 livefeeds: it was)
    record = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["wechat"]
    assert (record["state"], record.get("last_ok"), record["last_run_days"]) == ("ok", None, [])
    assert any("/v3/certificates" in p for _, p in server.requests)
    month = (cfg.parent / "books" / "wechat" / "2021" / "2021-02.beancount").read_text()
    assert "50300806962021020105978994968" in month
    result = CliRunner().invoke(cli.main, ["check", "-c", str(cfg), "--format", "json"])
    assert result.exit_code in (0, 1) and "findings" in json.loads(result.output)


def test_wechat_bill_not_ready_then_ready(wechat):
    server, cfg = wechat
    server.faults.append(("/v3/bill/tradebill", "not-ready"))
    report = fetch.run(config_mod.load(cfg), since=dt.date(2021, 1, 28), until=dt.date(2021, 1, 28))
    assert report.failures == []
    bills = [p for _, p in server.requests if p.startswith("/v3/bill/tradebill")]
    assert len(bills) == 2
    assert (cfg.parent / "statements" / "wechat" / "tradebill-2021-01-28.csv").exists()


def test_wechat_timeout_then_answer(wechat):
    server, cfg = wechat
    with_timeout(cfg, 0.5)
    server.faults.append(("/v3/bill/fundflowbill", "timeout:1.0"))
    report = fetch.run(config_mod.load(cfg), since=dt.date(2021, 2, 1), until=dt.date(2021, 2, 1))
    assert report.failures == []
    assert (cfg.parent / "statements" / "wechat" / "fundflow-2021-02-01.csv").exists()


def test_wechat_not_ready_all_day_is_reported_with_what_to_do(wechat):
    server, cfg = wechat
    server.faults += [("/v3/bill/tradebill", "not-ready")] * 3
    result = CliRunner().invoke(cli.main, ["fetch", "-c", str(cfg), "--since", "2021-01-28", "--until",
                                           "2021-01-28"])
    assert result.exit_code == 2
    assert "not generated yet" in result.output and "run `beanclear fetch` again later" in result.output


def test_wechat_answer_with_a_bad_signature_is_refused_without_retry(wechat):
    server, cfg = wechat
    server.faults.append(("/v3/bill/tradebill", "bad-signature"))
    report = fetch.run(config_mod.load(cfg), since=dt.date(2021, 1, 28), until=dt.date(2021, 1, 28))
    assert len(report.failures) == 1 and "does not verify against the platform certificate" in report.failures[0]
    assert not (cfg.parent / "statements" / "wechat" / "tradebill-2021-01-28.csv").exists()
    assert not (cfg.parent / "books").exists()


@pytest.mark.parametrize("fault", ["no-signature-type", "sm2-signature-type", "unsigned", "no-serial"])
def test_wechat_answer_without_readable_signature_headers_is_refused_like_a_bad_signature(wechat, fault, caplog):
    # A blind tester's answer without Wechatpay-Signature-Type gave a traceback and
    # "unexpected Exception from the channel's SDK: wechatpayv3 does not support this
    # algorithm: ": an answer whose signature headers are missing or name an algorithm
    # wechatpayv3 does not know does not verify, and is refused as a bad signature is
    server, cfg = wechat
    server.faults.append(("/v3/bill/tradebill", fault))
    report = fetch.run(config_mod.load(cfg), since=dt.date(2021, 1, 28), until=dt.date(2021, 1, 28))
    assert len(report.failures) == 1, report.failures
    assert "does not verify against the platform certificate: refused" in report.failures[0], report.failures[0]
    assert "unexpected" not in report.failures[0]
    assert not [r for r in caplog.records if r.exc_info]   # no traceback logged
    assert not (cfg.parent / "statements" / "wechat" / "tradebill-2021-01-28.csv").exists()


def test_archive_never_overwritten_with_other_bytes(wechat):
    server, cfg = wechat
    fetch.run(config_mod.load(cfg), since=dt.date(2021, 2, 1), until=dt.date(2021, 2, 1))
    folder = cfg.parent / "statements" / "wechat"
    first = (folder / "fundflow-2021-02-01.csv").read_bytes()
    server.bills[("fundflow", "2021-02-01")] = first.replace(b"0.22", b"0.23")
    (folder / "fundflow-2021-02-01.csv").write_bytes(first)
    from beanclear.live import archive
    stored = archive.store(folder, "fundflow-2021-02-01.csv", server.bills[("fundflow", "2021-02-01")])
    assert stored.state == "conflict" and (folder / "fundflow-2021-02-01.csv").read_bytes() == first
    assert stored.path.exists() and stored.path != folder / "fundflow-2021-02-01.csv"
    assert archive.store(folder, "fundflow-2021-02-01.csv", first).state == "same"


def test_stripe_timeout_then_answer_and_a_quiet_day(tmp_path, stripe_server, monkeypatch):
    cfg = _stripe_config(tmp_path, stripe_server, timeout=0.3)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    stripe_server.faults.append(("/v1/balance_transactions", "timeout:0.8"))
    quiet = DAY - dt.timedelta(days=1)   # no balance transaction that day: archived as an empty list
    report = fetch.run(config_mod.load(cfg), since=quiet, until=DAY)
    assert report.failures == [], report.failures
    folder = tmp_path / "statements" / "stripe"
    assert json.loads((folder / f"balance-transactions-{quiet}.json").read_text())["data"] == []
    assert len(json.loads((folder / f"balance-transactions-{DAY}.json").read_text())["data"]) == 3
    assert len([r for r in stripe_server.requests if r[1].startswith("/v1/balance_transactions")]) == 3


def test_wechat_unreadable_private_key_names_its_variable(wechat, monkeypatch):
    server, cfg = wechat
    monkeypatch.setenv("WECHATPAY_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----")
    report = fetch.run(config_mod.load(cfg), until=dt.date(2021, 2, 1))
    assert len(report.failures) == 1 and "WECHATPAY_PRIVATE_KEY is not a readable private key" in report.failures[0]
    assert server.requests == []


def test_fetch_command_archives_imports_and_says_so(wechat):
    server, cfg = wechat
    result = CliRunner().invoke(cli.main, ["fetch", "wechat", "-c", str(cfg), "--since", "2021-01-28", "--until",
                                           "2021-01-28"])
    assert result.exit_code == 0, result.output
    assert "tradebill-2021-01-28.csv (" in result.output and ", new)" in result.output
    assert "entries written" in result.output   # the import's summary line
    again = CliRunner().invoke(cli.main, ["fetch", "-c", str(cfg), "--since", "2021-01-28", "--until", "2021-01-28"])
    assert again.exit_code == 0 and "nothing to fetch" in again.output
    unknown = CliRunner().invoke(cli.main, ["fetch", "alipay", "-c", str(cfg)])
    assert unknown.exit_code == 2 and "alipay: not a channel of the config" in unknown.output
    backwards = CliRunner().invoke(cli.main, ["fetch", "-c", str(cfg), "--since", "2021-02-02", "--until", "2021-02-01"])
    assert backwards.exit_code == 2 and "is after --until" in backwards.output


def test_an_import_that_fails_is_done_by_the_next_fetch(tmp_path, stripe_server, monkeypatch):
    from beanclear.books import atomic
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    config = config_mod.load(cfg)
    monkeypatch.setattr(atomic, "WAIT", 0)   # (not the 5 minutes an import waits for the lock)
    with atomic.locked(config.books):   # someone's `beanclear import` holds the books all along
        report = fetch.run(config, today=TODAY)
    assert len(report.failures) == 1 and "another beanclear command is writing these books" in report.failures[0]
    assert (tmp_path / "statements" / "stripe" / "balance-transactions-2026-03-01.json").exists()
    assert not (tmp_path / "books" / "stripe").exists()
    requests = len(stripe_server.requests)
    report = fetch.run(config, today=TODAY)   # nothing new to fetch, but the day is imported now
    assert report.failures == [] and len(stripe_server.requests) == requests
    assert "txn_1charge000001" in (tmp_path / "books" / "stripe" / "2026" / "2026-03.beancount").read_text()
    assert "pending_import" not in json.loads((tmp_path / ".beanclear-live.json").read_text())


def _fetched_around_a_failed_day(tmp_path, stripe_server, monkeypatch):
    """03-01 and 03-03 fetched (03-03 a quiet day: an empty list), 03-02 failed: Stripe
    answered 500 each time. The config's path."""
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    third = DAY + dt.timedelta(days=2)
    assert fetch.run(config_mod.load(cfg), since=DAY, until=DAY).failures == []
    stripe_server.faults += [("/v1/balance_transactions", "500")] * 3
    assert len(fetch.run(config_mod.load(cfg), since=TODAY, until=TODAY).failures) == 1
    assert fetch.run(config_mod.load(cfg), since=third, until=third).failures == []
    return cfg


def test_a_day_that_failed_between_two_fetched_is_one_gap_and_fetching_it_fills_it(tmp_path, stripe_server,
                                                                                  monkeypatch):
    # 03-01 and 03-03 fetched, 03-02 failed (Stripe answered 500 each time): the books
    # hold a hole the check names with the command that fills it; run, the gap is gone.
    cfg = _fetched_around_a_failed_day(tmp_path, stripe_server, monkeypatch)

    def gaps():
        result = CliRunner().invoke(cli.main, ["check", "-c", str(cfg), "--format", "json"])
        return [f["message"] for f in json.loads(result.output)["findings"] if f["code"] == "statement-gap"]
    [gap] = gaps()
    assert gap.startswith("no statement of stripe covers 2026-03-02 to 2026-03-02 (1 day)")
    command = gap.split("`")[1]
    assert command == "beanclear fetch stripe --since 2026-03-02 --until 2026-03-02"
    result = CliRunner().invoke(cli.main, [*command.split()[1:], "-c", str(cfg)])
    assert result.exit_code == 0, result.output
    assert gaps() == []


def test_a_plain_fetch_fetches_a_day_that_failed_between_two_fetched(tmp_path, stripe_server, monkeypatch):
    # a blind helper's 11-24 failed while 11-25 and 11-26 were fetched: `beanclear fetch`
    # said "nothing to fetch" (it started after the last day archived)
    cfg = _fetched_around_a_failed_day(tmp_path, stripe_server, monkeypatch)
    report = fetch.run(config_mod.load(cfg), today=DAY + dt.timedelta(days=3))
    assert report.failures == [] and [p.name for p in report.fetched] == ["balance-transactions-2026-03-02.json"]
    assert "txn_1charge000003" in (tmp_path / "books" / "stripe" / "2026" / "2026-03.beancount").read_text()


def test_a_day_not_over_yet_is_not_fetched(tmp_path, stripe_server, monkeypatch):
    # archived as covered, a day still going on would never be asked for again
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    report = fetch.run(config_mod.load(cfg), since=DAY, until=TODAY + dt.timedelta(days=5), today=TODAY)
    assert "stripe: the days after 2026-03-01 are not over yet: not fetched" in report.lines
    assert sorted(p.name for p in (tmp_path / "statements" / "stripe").glob("*.json")) == [
        "balance-transactions-2026-03-01.json"]


def test_the_command_a_gap_names_imports_a_day_archived_but_not_in_the_books(tmp_path, stripe_server, monkeypatch):
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    assert fetch.run(config_mod.load(cfg), since=DAY, until=DAY, do_import=False).failures == []
    assert not (tmp_path / "books" / "stripe").exists()
    requests = len(stripe_server.requests)
    report = fetch.run(config_mod.load(cfg), since=DAY, until=DAY)
    assert report.failures == [] and len(stripe_server.requests) == requests   # nothing asked again
    assert "txn_1charge000001" in (tmp_path / "books" / "stripe" / "2026" / "2026-03.beancount").read_text()


def test_the_status_keeps_the_last_day_archived_and_forgets_a_failure_once_fetched(tmp_path, stripe_server,
                                                                                   monkeypatch):
    # a blind helper's status kept last_ok from the run before and failed_day after a success
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    stripe_server.faults += [("/v1/balance_transactions", "slow:0")] + [("/v1/balance_transactions", "500")] * 3
    assert len(fetch.run(config_mod.load(cfg), since=DAY, until=TODAY, today=TODAY + dt.timedelta(days=1)).failures) == 1
    record = json.loads((tmp_path / ".beanclear-live.json").read_text())["sources"]["stripe"]
    assert (record["state"], record["last_ok"], record["failed_day"]) == ("failed", "2026-03-01", "2026-03-02")
    assert fetch.run(config_mod.load(cfg), since=TODAY, until=TODAY).failures == []
    record = json.loads((tmp_path / ".beanclear-live.json").read_text())["sources"]["stripe"]
    assert (record["state"], record["last_ok"], record["failed_day"]) == ("ok", "2026-03-02", None)


def test_a_plain_fetch_imports_the_days_a_no_import_run_archived(tmp_path, stripe_server, monkeypatch):
    # blind4: after `fetch --no-import`, `beanclear fetch` said "nothing to fetch (every
    # day up to … is archived or in the books)" and imported none of the eight days
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    assert fetch.run(config_mod.load(cfg), today=TODAY, do_import=False).failures == []
    assert not (tmp_path / "books" / "stripe").exists()
    requests = len(stripe_server.requests)
    report = fetch.run(config_mod.load(cfg), today=TODAY)
    assert report.failures == [] and len(stripe_server.requests) == requests   # nothing asked again
    assert [p.name for p in report.fetched] == ["balance-transactions-2026-03-01.json"]
    assert "stripe: 1 statement(s) archived before but not in the books: imported now" in report.lines
    assert "txn_1charge000001" in (tmp_path / "books" / "stripe" / "2026" / "2026-03.beancount").read_text()
    again = fetch.run(config_mod.load(cfg), today=TODAY)   # in the books now: not read again
    assert again.fetched == [] and again.imports == []


def test_fetch_help_says_where_a_run_starts_as_live_md_does():
    # blind4: --help said "the day after the last one archived or in the books"; a run
    # starts at the first day archived, so that a day that failed between two is fetched
    result = CliRunner().invoke(cli.main, ["fetch", "--help"])
    said = " ".join(result.output.split())
    assert "the day after the last one archived" not in said
    assert "default: the first day archived, so that every later day not archived is fetched; with nothing " \
           "archived, the day after the last the books cover, else the channel's fetch.since, else yesterday" in said


def test_the_last_day_fetched_never_moves_back(tmp_path, stripe_server, monkeypatch):
    # blind4: `beanclear fetch stripe --since 2026-11-20` (an older, quiet day) set last_ok
    # back to 11-20 with every day to 12-04 archived
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    assert fetch.run(config_mod.load(cfg), today=TODAY).failures == []
    older = DAY - dt.timedelta(days=5)
    report = fetch.run(config_mod.load(cfg), since=older, until=older, today=TODAY)
    assert report.failures == [] and [p.name for p in report.fetched] == [f"balance-transactions-{older}.json"]
    record = json.loads((tmp_path / ".beanclear-live.json").read_text())["sources"]["stripe"]
    assert (record["last_ok"], record["last_run_days"]) == ("2026-03-01", [str(older)])


LATE = DAY + dt.timedelta(days=100)   # a quarter and more after the books: serve down, a key expired


@pytest.fixture
def quarter_late(tmp_path, monkeypatch):
    """The books hold 03-01 (one fetch); Stripe has a charge on it and one 100 days later."""
    txns = [stripe_txn("txn_1charge000001", DAY, 10, "charge", 10000, 320, "ch_1charge000001"),
            stripe_txn("txn_1charge000100", LATE, 10, "charge", 2000, 88, "ch_1charge000100")]
    with StripeServer("sk_test_local123", txns) as server:
        cfg = _stripe_config(tmp_path, server)
        monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
        assert fetch.run(config_mod.load(cfg), today=TODAY).failures == []
        yield cfg


def _covered_days(books) -> int:
    return sum(p.read_text().count("beanclear-coverage") for p in (books / "stripe").rglob("*.beancount"))


def test_a_fetch_reaching_more_than_92_days_past_the_books_imports_every_day(tmp_path, quarter_late):
    # blind10 livefeed #1: the fetch of the 120 days after the books was refused by its own
    # import ("more than 92 days from the 2026-03-01 to 2026-03-02 the books hold"), again
    # at every run, not even the next day booked. The guard is for a hand-picked file of
    # another year or merchant; the days a channel's API gave for the days asked are neither
    report = fetch.run(config_mod.load(quarter_late), until=LATE, today=LATE + dt.timedelta(days=1))
    assert report.failures == [], report.failures
    assert len(report.fetched) == 100 and _covered_days(tmp_path / "books") == 101
    assert "txn_1charge000100" in (tmp_path / "books" / "stripe" / "2026" / f"{LATE:%Y-%m}.beancount").read_text()
    record = json.loads((tmp_path / ".beanclear-live.json").read_text())["sources"]["stripe"]
    assert (record["state"], record["last_ok"], record["error"], record["failed_day"]) == ("ok", str(LATE), None, None)


def test_import_of_one_file_a_quarter_past_the_books_is_still_refused(tmp_path, quarter_late):
    # must not fire: `beanclear import` of a hand-picked file keeps the 92-day guard, word for word
    assert fetch.run(config_mod.load(quarter_late), since=LATE, until=LATE, do_import=False).failures == []
    path = tmp_path / "statements" / "stripe" / f"balance-transactions-{LATE}.json"
    result = CliRunner().invoke(cli.main, ["import", "-c", str(quarter_late), str(path)])
    assert result.exit_code == 2
    assert f"{path}:1: covers {LATE} to {LATE}, more than 92 days from the 2026-03-01 to 2026-03-01 the books hold " \
           "of stripe (another year, or another merchant's file?); pass --force to import it anyway" in result.output
    assert _covered_days(tmp_path / "books") == 1


def test_a_fetch_whose_import_fails_is_failed_in_the_status_and_last_ok_stays_in_the_books(tmp_path, stripe_server,
                                                                                          monkeypatch):
    # blind10 livefeed #1: the import refused, the status said {"state": "ok", "error": None,
    # "last_ok": "2026-06-30"} with the books at 03-02, for `fetch` and serve's /status alike
    from beanclear.books import atomic
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    monkeypatch.setattr(atomic, "WAIT", 0)
    config = config_mod.load(cfg)
    assert fetch.run(config, today=TODAY).failures == []
    later = TODAY + dt.timedelta(days=1)

    def record():
        return json.loads((tmp_path / ".beanclear-live.json").read_text())["sources"]["stripe"]
    for _ in range(2):   # the run that fetched 03-02, then the one that only imports it
        with atomic.locked(config.books):
            report = fetch.run(config, today=later)
        assert len(report.failures) == 1 and report.failures[0].startswith("import: ")
        assert (record()["state"], record()["last_ok"], record()["failed_day"]) == ("failed", str(DAY), str(TODAY))
        assert record()["error"].startswith("import: ") and "another beanclear command" in record()["error"]
    assert fetch.run(config, today=later).failures == []
    assert (record()["state"], record()["last_ok"], record()["error"], record()["failed_day"]) == (
        "ok", str(TODAY), None, None)


def test_a_no_import_run_says_ok_for_the_days_archived(tmp_path, stripe_server, monkeypatch):
    # must not fire: without an import, last_ok is the last day fetched, as before
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    assert fetch.run(config_mod.load(cfg), today=TODAY, do_import=False).failures == []
    record = json.loads((tmp_path / ".beanclear-live.json").read_text())["sources"]["stripe"]
    assert (record["state"], record["last_ok"]) == ("ok", str(DAY))


def test_an_import_failing_unexpectedly_is_the_source_s_failure_in_the_status(tmp_path, stripe_server, monkeypatch):
    # blind10 livefeed (after fix235): an exception of the import other than a refusal went
    # out of fetch.run: a traceback for `beanclear fetch`, and serve's /status kept the
    # state before, never saying the source failed
    from beanclear.books import importing

    def broken(*args, **kwargs):
        raise RuntimeError("the disk went away")
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    monkeypatch.setattr(importing, "run", broken)
    report = fetch.run(config_mod.load(cfg), today=TODAY)
    assert len(report.failures) == 1, report.failures
    assert report.failures[0].startswith("import: unexpected RuntimeError: the disk went away; "), report.failures
    record = json.loads((tmp_path / ".beanclear-live.json").read_text())["sources"]["stripe"]
    assert (record["state"], record["failed_day"], record.get("last_ok")) == ("failed", str(DAY), None)
    assert record["error"] == report.failures[0]
    result = CliRunner().invoke(cli.main, ["fetch", "-c", str(cfg), "--until", str(DAY)])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "import: unexpected RuntimeError" in result.output
    monkeypatch.undo()   # the cause gone, the next run imports what stayed archived
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    assert fetch.run(config_mod.load(cfg), today=TODAY).failures == []
    record = json.loads((tmp_path / ".beanclear-live.json").read_text())["sources"]["stripe"]
    assert (record["state"], record["last_ok"], record["error"]) == ("ok", str(DAY), None)


# --- an answer of another day than the day asked (blind24) --------------------------------

QUIET_FUND = ("记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,"
              "业务凭证号\n资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\n`0,`0,`0.00,`0,`0.00\n")


def test_a_wechat_bill_whose_rows_are_all_of_another_day_is_refused_and_a_quiet_one_archived(wechat):
    # WeChat's bills state no period: the rows' days say which day's a bill is. 02-01's fund
    # bill answered for 02-02 is refused, not archived; a quiet day's bill (a header, a
    # summary of 0) says no other day and is archived as ever
    server, cfg = wechat
    server.bills[("fundflow", "2021-02-02")] = server.bills[("fundflow", "2021-02-01")]
    day = dt.date(2021, 2, 2)
    report = fetch.run(config_mod.load(cfg), since=day - dt.timedelta(days=1), until=day)
    assert report.failures == [
        "wechat: 2021-02-02: fundflow-2021-02-02.csv: the answer for 2021-02-02 is another day's (its rows are of "
        "2021-02-01): not archived; 2021-02-02 is asked for again by the next `beanclear fetch` (is the channel's "
        "fetch.api_base a cache or a proxy?)"]
    folder = cfg.parent / "statements" / "wechat"
    assert (folder / "fundflow-2021-02-01.csv").is_file()
    assert not [p for p in folder.rglob("*") if "fundflow-2021-02-02" in p.name]
    assert "50300806962021020105978994968" in (cfg.parent / "books" / "wechat" / "2021" / "2021-02.beancount").read_text()
    server.bills[("fundflow", "2021-02-02")] = QUIET_FUND.encode()
    again = fetch.run(config_mod.load(cfg), since=day, until=day)
    assert again.failures == [], again.failures
    assert (folder / "fundflow-2021-02-02.csv").read_bytes() == QUIET_FUND.encode()


def test_a_wechat_trade_bill_of_refunds_of_earlier_payments_is_the_day_s_bill(wechat):
    # must not fire: a trade bill's refund row (layout ALL) is dated by the payment it refunds,
    # days before the bill's; a day of refunds only is still that day's bill
    server, cfg = wechat
    payment = server.bills[("tradebill", "2021-01-28")].decode().splitlines()
    cells = payment[1].split(",")
    header = payment[0].split(",")
    refund = dict(zip(header, cells))
    refund.update({"交易状态": "`REFUND", "应结订单金额": "`0.00", "微信退款单号": "`50300000012021013000000000001",
                   "商户退款单号": "`R20210130000001", "退款金额": "`0.01", "退款类型": "`ORIGINAL",
                   "退款状态": "`SUCCESS", "申请退款金额": "`0.01"})
    server.bills[("tradebill", "2021-01-30")] = "\n".join([
        payment[0], ",".join(refund[h] for h in header), payment[-2],
        "`1,`0.00,`0.01,`0.00,`0.00000,`0.00,`0.01"]).encode() + b"\n"
    day = dt.date(2021, 1, 30)
    report = fetch.run(config_mod.load(cfg), since=dt.date(2021, 1, 28), until=day)
    assert report.failures == [], report.failures
    assert (cfg.parent / "statements" / "wechat" / "tradebill-2021-01-30.csv").is_file()
    assert "50300000012021013000000000001" in (cfg.parent / "books" / "wechat" / "2021" / "2021-01.beancount").read_text()


def test_a_stripe_list_of_another_day_s_transactions_is_refused(tmp_path, stripe_server, monkeypatch):
    # the list's window is the one fetch asked for (its url): its rows say whose day it is
    cfg = _stripe_config(tmp_path, stripe_server)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_local123")
    stripe_server.faults.append(("/v1/balance_transactions", "day-before"))
    report = fetch.run(config_mod.load(cfg), since=TODAY, until=TODAY, today=TODAY + dt.timedelta(days=1))
    assert report.failures == [
        f"stripe: {TODAY}: balance-transactions-{TODAY}.json: the answer for {TODAY} is another day's (its rows are "
        f"of {DAY}): not archived; {TODAY} is asked for again by the next `beanclear fetch` (is the channel's "
        "fetch.api_base a cache or a proxy?)"]
    assert not (tmp_path / "statements" / "stripe").exists() or not list((tmp_path / "statements").rglob("*.json"))
    report = fetch.run(config_mod.load(cfg), since=TODAY, until=TODAY, today=TODAY + dt.timedelta(days=1))
    assert report.failures == [] and "txn_1charge000003" in \
        (tmp_path / "statements" / "stripe" / f"balance-transactions-{TODAY}.json").read_text()


def test_a_day_s_bill_whose_bytes_the_books_hold_under_another_name_is_not_said_imported_now(wechat):
    # blind24: "N statement(s) archived before but not in the books: imported now", then the
    # import's "imported before as …, not read again": a file is said for what becomes of it.
    # Two quiet days' bills alike (no period, no row: each day's), the second fetched later
    server, cfg = wechat
    server.bills[("fundflow", "2021-02-02")] = server.bills[("fundflow", "2021-02-03")] = QUIET_FUND.encode()
    assert fetch.run(config_mod.load(cfg), since=dt.date(2021, 2, 2), until=dt.date(2021, 2, 2)).failures == []
    assert fetch.run(config_mod.load(cfg), since=dt.date(2021, 2, 3), until=dt.date(2021, 2, 3)).failures == []
    report = fetch.run(config_mod.load(cfg), since=dt.date(2021, 2, 2), until=dt.date(2021, 2, 3))
    assert report.failures == [] and not [line for line in report.lines if "imported now" in line], report.lines
    # each is its day's statement, as its name says (blind33: the second was "imported before" as
    # the first, its day recorded by no statement): both recorded, nothing said of them again
    month = (cfg.parent / "books" / "wechat" / "2021" / "2021-02.beancount").read_text(encoding="utf-8")
    assert re.findall(r'statement: "(fundflow-[\d-]+\.csv)"', month) == ["fundflow-2021-02-02.csv",
                                                                      "fundflow-2021-02-03.csv"], month
    assert not [line for line in report.lines if "archived before" in line], report.lines
