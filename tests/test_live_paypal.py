"""PayPal: Transaction Search and balances fetched with an OAuth2 token from a local
PayPal server, imported; a day not refreshed yet retried; webhooks verified by PayPal's
verify-webhook-signature, forgeries refused, an event delivered again taken once."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import httpx
import pytest
import yaml

from beanclear import config as config_mod
from beanclear.live import fetch
from beanclear.live.serve import merchant as merchant_mod

from live_servers import PaypalServer, rsa_key
from live_serving import running
from live_util import FAST, write_config


def _row(ident, when, code, amount, fee, subject):
    return {"transaction_info": {
        "paypal_account_id": "6STWC2LSUYYYE", "transaction_id": ident, "transaction_event_code": code,
        "transaction_initiation_date": when, "transaction_updated_date": when,
        "transaction_amount": {"currency_code": "USD", "value": amount},
        "fee_amount": {"currency_code": "USD", "value": fee}, "transaction_status": "S",
        "transaction_subject": subject, "invoice_id": f"INV-{ident[-3:]}"},
        "payer_info": {"account_id": "6STWC2LSUYYYE", "email_address": "buyer@example.com",
                       "payer_name": {"alternate_full_name": "Test Buyer"}, "country_code": "US"}}


ROWS = [_row("5TY05013RG0028001", "2026-03-01T02:03:52+0000", "T0006", "100.00", "-3.98", "Tea order 1"),
        _row("5TY05013RG0028002", "2026-03-01T09:13:00+0000", "T0006", "50.00", "-2.24", "Tea order 2"),
        _row("5TY05013RG0028003", "2026-03-02T03:00:00+0000", "T0006", "20.00", "-1.19", "Tea order 3")]


@pytest.fixture
def paypal(tmp_path):
    with PaypalServer("client-abc", "secret-xyz", "WH-1TEST", ROWS, balance="143.78") as server:
        cfg = write_config(tmp_path, yaml.safe_dump({
            "books": "books", "currency": "USD", "timezone": "UTC", "live": FAST,
            "channels": {"paypal": {"type": "paypal", "currency": "USD", "fetch": {"api_base": server.url}}}}))
        environ = {"PAYPAL_CLIENT_ID": "client-abc", "PAYPAL_CLIENT_SECRET": "secret-xyz",
                   "PAYPAL_WEBHOOK_ID": "WH-1TEST"}
        yield server, cfg, environ


def test_paypal_fetch_yesterday_and_import(paypal):
    server, cfg, environ = paypal
    report = fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 2), environ=environ)
    assert report.failures == [], report.failures
    folder = cfg.parent / "statements" / "paypal"
    doc = json.loads((folder / "transactions-2026-03-01.json").read_text())
    assert [d["transaction_info"]["transaction_id"] for d in doc["transaction_details"]] == \
        ["5TY05013RG0028001", "5TY05013RG0028002"]
    assert (folder / "balances-2026-03-01.json").exists()
    month = (cfg.parent / "books" / "paypal" / "2026" / "2026-03.beancount").read_text()
    assert "5TY05013RG0028001" in month and "96.02 USD" in month and "5TY05013RG0028003" not in month
    assert "143.78 USD" in month   # the day's closing balance, asserted


def test_paypal_day_not_refreshed_yet_is_retried_then_reported(paypal):
    server, cfg, environ = paypal
    server.refreshed = "2026-03-01T20:00:00+0000"
    report = fetch.run(config_mod.load(cfg), since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 1), environ=environ)
    assert len(report.failures) == 1 and "not complete yet" in report.failures[0]
    assert not (cfg.parent / "statements" / "paypal" / "transactions-2026-03-01.json").exists()
    server.refreshed = None
    report = fetch.run(config_mod.load(cfg), since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 1), environ=environ)
    assert report.failures == []


def test_paypal_bad_client_secret_is_a_failure_naming_the_variable(paypal):
    server, cfg, environ = paypal
    report = fetch.run(config_mod.load(cfg), until=dt.date(2026, 3, 1), environ={**environ,
                                                                               "PAYPAL_CLIENT_SECRET": "nope"})
    assert len(report.failures) == 1 and "PAYPAL_CLIENT_SECRET" in report.failures[0]
    assert "nope" not in report.failures[0]


def test_paypal_webhooks_verified_taken_once_and_forgery_refused(paypal):
    server, cfg, environ = paypal
    m = merchant_mod.load(cfg, environ=environ)
    event = {"id": "WH-58D329510W468432D-8HN650336L201105X", "event_type": "PAYMENT.CAPTURE.REFUNDED",
             "resource_type": "refund", "create_time": "2026-03-01T10:00:00Z", "resource": {"id": "1Y107995YT783435V"}}
    with running([m]) as (url, _):
        headers, body = server.webhook(event)
        assert httpx.post(f"{url}/webhooks/paypal", content=body, headers=headers).status_code == 200
        assert (m.live.events / "paypal" / f"{event['id']}.json").exists()
        headers, body = server.webhook(body)   # delivered again: a new transmission of the same event
        again = httpx.post(f"{url}/webhooks/paypal", content=body, headers=headers)
        assert again.status_code == 200 and again.json()["status"] == "already received", again.text
        forged_headers, forged = server.webhook({**event, "id": "WH-FORGED-1"}, key=rsa_key())
        assert httpx.post(f"{url}/webhooks/paypal", content=forged, headers=forged_headers).status_code == 400
        old_headers, old = server.webhook({**event, "id": "WH-OLD-1"},
                                          when=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2))
        stale = httpx.post(f"{url}/webhooks/paypal", content=old, headers=old_headers)
        assert stale.status_code == 400 and "tolerance" in stale.json()["reason"]
        odd_headers, odd = server.webhook({**event, "id": "WH-ODD-1", "event_type": "VAULT.CREDIT-CARD.CREATED"})
        unknown = httpx.post(f"{url}/webhooks/paypal", content=odd, headers=odd_headers)
        assert unknown.status_code == 200 and unknown.json()["known"] is False
    assert not (m.live.events / "paypal" / "WH-FORGED-1.json").exists()


# An event as PayPal writes it: indented, a decimal with a trailing zero, an integer past
# 2**64; re-serialised it is other bytes ("1.1", one line), which PayPal does not verify
AS_SENT = (b'{\n  "id": "WH-2WR32451HC0233532-67976317FL4543714",\n  "event_version": "1.0",\n'
           b'  "event_type": "PAYMENT.CAPTURE.COMPLETED",\n  "resource": {"id": "8RP00000000000001", '
           b'"amount": {"currency_code": "USD", "value": "10.50"}, "exchange_rate": 1.10, '
           b'"n": 12345678901234567890}\n}')


def test_paypal_is_asked_to_verify_the_event_as_it_was_sent(paypal):
    # blind10 livefeed repro-03: verify-webhook-signature was sent json.loads -> json.dumps
    # of the body (1.10 became 1.1, the whitespace dropped): PayPal verifies the CRC32 of
    # the bytes it sent, so every such real event was refused
    server, cfg, environ = paypal
    m = merchant_mod.load(cfg, environ=environ)
    with running([m]) as (url, _):
        headers, body = server.webhook(AS_SENT)
        answer = httpx.post(f"{url}/webhooks/paypal", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    archived = json.loads((m.live.events / "paypal" / "WH-2WR32451HC0233532-67976317FL4543714.json").read_text())
    assert archived["body"].encode() == AS_SENT


def test_a_paypal_event_changed_after_it_was_signed_is_still_refused(paypal):
    # the event as received is what PayPal checks: bytes changed on the way do not verify
    server, cfg, environ = paypal
    m = merchant_mod.load(cfg, environ=environ)
    with running([m]) as (url, _):
        headers, body = server.webhook(AS_SENT)
        answer = httpx.post(f"{url}/webhooks/paypal", content=body.replace(b"10.50", b"99.50"), headers=headers)
    assert answer.status_code == 400 and "did not verify" in answer.json()["reason"], answer.text
    assert not (m.live.events / "paypal").exists()


@pytest.mark.parametrize("event", [
    [1, 2, 3], "just a string",
    {"id": "WH-NORES-1", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": [1]},
    {"id": "WH-NORES-2", "event_type": "PAYMENT.CAPTURE.COMPLETED"},
    {"id": 7, "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {"id": "X"}},
])
def test_a_paypal_body_that_is_not_an_event_is_refused_with_a_reason(paypal, event):
    # the shape Stripe's events are held to (blind4: a signed non-object answered 500)
    server, cfg, environ = paypal
    m = merchant_mod.load(cfg, environ=environ)
    with running([m]) as (url, _):
        headers, body = server.webhook(event)
        answer = httpx.post(f"{url}/webhooks/paypal", content=body, headers=headers)
    assert answer.status_code == 400 and answer.json()["reason"].startswith("not a PayPal event"), answer.text
    assert not (m.live.events / "paypal").exists()


def test_the_status_lists_each_day_fetched_once(paypal):
    # blind4: last_run_days listed each PayPal day twice, once per file of it
    server, cfg, environ = paypal
    assert fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 2), environ=environ).failures == []
    record = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["paypal"]
    assert (record["last_ok"], record["last_run_days"]) == ("2026-03-01", ["2026-03-01"])


def _books(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def test_a_day_s_balances_and_transactions_give_one_book_in_either_order(paypal, tmp_path):
    # blind6: the day's transactions assert the balance their ending_balance says, and the
    # balances file the same one with its `as-of:`; fetch imports the transactions first,
    # `beanclear import statements/` the balances (their name sorts first): the assertion
    # had `as-of:` only in the second books
    from click.testing import CliRunner
    from beanclear import cli
    server, cfg, environ = paypal
    for row, ending in zip(server.transactions, ("96.02", "143.78")):
        row["transaction_info"]["ending_balance"] = {"currency_code": "USD", "value": ending}
    assert fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 2), environ=environ).failures == []
    folder = cfg.parent / "statements" / "paypal"
    served = _books(cfg.parent / "books")
    assert re.search(r'balance Assets:Clearing:PayPal +143\.78 USD\n  as-of: "2026-03-02T00:00:00\+00:00"\n',
                     served["paypal/2026/2026-03.beancount"].decode())
    for order in ([folder], [folder / "transactions-2026-03-01.json", folder / "balances-2026-03-01.json"],
                  [folder / "balances-2026-03-01.json", folder / "transactions-2026-03-01.json"]):
        by_hand = tmp_path / f"by-hand-{len(order)}-{order[0].name}"
        by_hand.mkdir()
        (by_hand / "config.yaml").write_bytes(cfg.read_bytes())
        for path in order:   # one command for the folder, else one a file
            result = CliRunner().invoke(cli.main, ["import", "-c", str(by_hand / "config.yaml"), str(path)])
            assert result.exit_code == 0, result.output
        assert _books(by_hand / "books") == served, order


@pytest.mark.parametrize("fault, said", [("half", "answer to /v1/reporting/transactions was not complete JSON"),
                                         ("cut", "the connection to PayPal was cut before its answer was complete")])
def test_a_paypal_answer_cut_short_is_retried_then_said_in_one_line(paypal, fault, said, caplog):
    # A blind tester's PayPal page answered HTTP 200 with half its JSON: a traceback and
    # "unexpected JSONDecodeError from the channel's SDK", after one try. A body that is
    # not the JSON promised is a cut connection: tried again, then a fetch failure
    server, cfg, environ = paypal
    server.faults += [("/v1/reporting/transactions", fault)] * 3
    report = fetch.run(config_mod.load(cfg), since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 1), environ=environ)
    assert len(report.failures) == 1, report.failures
    failure = report.failures[0]
    assert "unexpected" not in failure and "after 3 tries" in failure, failure
    assert said in failure, failure
    assert not [r for r in caplog.records if r.exc_info]   # no traceback logged
    assert len([p for _, p in server.requests if p.startswith("/v1/reporting/transactions")]) == 3
    # once it answers whole, the day is fetched
    report = fetch.run(config_mod.load(cfg), since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 1), environ=environ)
    assert report.failures == []


def test_a_paypal_token_answer_cut_short_is_retried(paypal):
    server, cfg, environ = paypal
    server.faults += [("/v1/oauth2/token", "half")]
    report = fetch.run(config_mod.load(cfg), since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 1), environ=environ)
    assert report.failures == [], report.failures


def test_a_fetch_refused_for_another_account_says_what_fetch_can_do(paypal):
    # blind10 livefeed: a fetch's import refused for a reason other than the 92-day guard
    # told the user to "pass --force", which `beanclear fetch` has not
    server, cfg, environ = paypal
    assert fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 2), environ=environ).failures == []
    server.account = "ANOTHER000001"   # the API key now reaches another PayPal account
    report = fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 3), environ=environ)
    assert len(report.failures) == 1, report.failures
    said = report.failures[0]
    day = cfg.parent / "statements" / "paypal" / "transactions-2026-03-02.json"
    assert "a statement of account ANOTHER000001" in said and "pass --force" not in said, said
    assert f"`beanclear import --force {day}`" in said, said
    record = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["paypal"]
    assert record["state"] == "failed" and record["error"] == said


def test_an_import_by_hand_refused_for_another_account_still_says_pass_force(paypal):
    # must not fire: `beanclear import` has --force, and says it so
    from click.testing import CliRunner
    from beanclear import cli
    server, cfg, environ = paypal
    assert fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 2), environ=environ).failures == []
    server.account = "ANOTHER000001"
    assert fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 3), environ=environ, do_import=False).failures == []
    day = cfg.parent / "statements" / "paypal" / "transactions-2026-03-02.json"
    result = CliRunner().invoke(cli.main, ["import", "-c", str(cfg), str(day)])
    assert result.exit_code == 2 and "or pass --force to import it as this one" in result.output, result.output


def test_a_paypal_answer_for_the_day_before_is_refused_not_archived(paypal):
    # blind24: an answer of another day than the day asked (a cache at api_base) was archived
    # as the day asked. PayPal's search says the window it answers for, its balances the
    # moment they are of: either of another day is refused, the day still owed
    server, cfg, environ = paypal
    day = dt.date(2026, 3, 2)
    folder = cfg.parent / "statements" / "paypal"
    server.faults.append(("/v1/reporting/transactions", "day-before"))
    report = fetch.run(config_mod.load(cfg), since=day, until=day, environ=environ)
    assert report.failures == [
        "paypal: 2026-03-02: transactions-2026-03-02.json: the answer for 2026-03-02 is another day's (it says it "
        "answers for 2026-03-01): not archived; 2026-03-02 is asked for again by the next `beanclear fetch` (is the "
        "channel's fetch.api_base a cache or a proxy?)"]
    assert not folder.exists() or not list(folder.rglob("*2026-03-02*"))
    server.faults.append(("/v1/reporting/balances", "day-before"))
    report = fetch.run(config_mod.load(cfg), since=day, until=day, environ=environ)
    assert len(report.failures) == 1 and report.failures[0].startswith(
        "paypal: 2026-03-02: balances-2026-03-02.json: the answer for 2026-03-02 is another day's (its rows are of "
        "2026-03-01)"), report.failures
    assert (folder / "transactions-2026-03-02.json").is_file() and not (folder / "balances-2026-03-02.json").exists()
    report = fetch.run(config_mod.load(cfg), since=day, until=day, environ=environ)
    assert report.failures == [], report.failures
    assert (folder / "balances-2026-03-02.json").is_file()
    record = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["paypal"]
    assert (record["state"], record["last_ok"]) == ("ok", "2026-03-02")


def test_an_html_page_answered_with_http_200_is_said_for_what_it_is(paypal):
    # blind24: a proxy's or captive portal's page (HTTP 200, text/html, whole) was said "not
    # complete JSON …: cut short on the way", which points at the network, not at the proxy
    server, cfg, environ = paypal
    server.faults += [("/v1/reporting/transactions", "html")] * 3
    report = fetch.run(config_mod.load(cfg), since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 1), environ=environ)
    assert report.failures == [
        "paypal: 2026-03-01: transactions-2026-03-01.json: PayPal's answer to /v1/reporting/transactions is not JSON "
        "but an HTML page (HTTP 200, text/html, 37 bytes: <html><body>Bad gateway</body></html>): a proxy or a "
        f"captive portal answering in PayPal's place? Check the channel's fetch.api_base ({server.url}) and the "
        "proxy settings of this machine"]
    assert len([p for _, p in server.requests if p.startswith("/v1/reporting/transactions")]) == 1


def test_until_before_the_channel_s_fetch_since_says_so(paypal):
    # blind24: empty books, fetch.since 2026-03-05, `fetch --until 2026-03-01` said "every day
    # up to 2026-03-01 is archived or in the books", of which there were none
    from click.testing import CliRunner
    from beanclear import cli
    server, cfg, environ = paypal
    conf = yaml.safe_load(cfg.read_text())
    conf["channels"]["paypal"]["fetch"]["since"] = "2026-03-05"
    cfg.write_text(yaml.safe_dump(conf))
    report = fetch.run(config_mod.load(cfg), until=dt.date(2026, 3, 1), today=dt.date(2026, 3, 10), environ=environ)
    assert report.failures == [] and server.requests == []
    assert report.lines == ["paypal: nothing to fetch: --until 2026-03-01 is before the channel's fetch.since, "
                            "2026-03-05, where a run without --since starts (pass --since to fetch days before it)"]
    result = CliRunner().invoke(cli.main, ["fetch", "-c", str(cfg), "--until", "2026-03-01"], env=environ)
    assert result.exit_code == 0 and "is before the channel's fetch.since" in result.output, result.output
    # the first day archived, where a run without --since starts, after --until: said so too
    assert fetch.run(config_mod.load(cfg), since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 2),
                     today=dt.date(2026, 3, 10), environ=environ, do_import=False).failures == []
    report = fetch.run(config_mod.load(cfg), until=dt.date(2026, 3, 1), today=dt.date(2026, 3, 10), environ=environ)
    assert report.lines == ["paypal: nothing to fetch: --until 2026-03-01 is before 2026-03-02, the first day "
                            "archived, where a run without --since starts (pass --since to fetch days before it)"]
    # must not fire: days asked that are all archived are said so, as before
    report = fetch.run(config_mod.load(cfg), since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 2),
                       today=dt.date(2026, 3, 10), environ=environ, do_import=False)
    assert report.lines[-1] == "paypal: nothing to fetch (every day up to 2026-03-02 is archived or in the books)"


def test_a_day_fetched_again_replaces_its_coverage_record_rather_than_adding_one(paypal):
    # blind24: a PayPal day whose archived files were lost, fetched again: PayPal's answers
    # carry their refresh time, so other bytes; each re-fetch wrote one more coverage record
    # per file (the old naming files gone) while saying "0 entries written"
    server, cfg, environ = paypal
    day = dt.date(2026, 3, 1)
    folder = cfg.parent / "statements" / "paypal"
    month = cfg.parent / "books" / "paypal" / "2026" / "2026-03.beancount"
    server.refreshed = "2026-03-02T01:00:00+0000"
    assert fetch.run(config_mod.load(cfg), since=day, until=day, environ=environ).failures == []
    before = month.read_text()
    for again in ("2026-03-02T02:00:00+0000", "2026-03-02T03:00:00+0000"):
        for path in folder.iterdir():
            path.unlink()
        server.refreshed = again
        report = fetch.run(config_mod.load(cfg), since=day, until=day, environ=environ)
        assert report.failures == [], report.failures
        text = month.read_text()
        assert text.count('custom "beanclear-coverage" "paypal" 2026-03-01') == 2, text   # one a file of the day
        from beanclear.statements.coverage import file_digest
        assert f'digest: "{file_digest(folder / "transactions-2026-03-01.json")}"' in text
        said = next(line for line in report.lines if "transactions-2026-03-01.json: paypal" in line)
        assert "0 entries written" in said and ("its coverage record replaces the one of transactions-2026-03-01.json "
                                                "downloaded before") in said, said
    # nothing else changed: the same books but the records' digests
    strip = re.compile(r'^(.*custom "beanclear-coverage".*|  (id|digest): .*)$', re.M)
    assert strip.sub("", month.read_text()) == strip.sub("", before)


def test_a_day_fetched_again_with_a_row_more_replaces_its_coverage_record(paypal):
    # must not: a download again with a row PayPal added since books the row, and its record
    # takes the place of the one before as ever (refetched.py; blind33 took only the same
    # text in other bytes for the statement the books record)
    import copy as copying
    server, cfg, environ = paypal
    day = dt.date(2026, 3, 1)
    folder = cfg.parent / "statements" / "paypal"
    month = cfg.parent / "books" / "paypal" / "2026" / "2026-03.beancount"
    server.refreshed = "2026-03-02T01:00:00+0000"
    assert fetch.run(config_mod.load(cfg), since=day, until=day, environ=environ).failures == []
    for path in folder.iterdir():
        path.unlink()
    added = copying.deepcopy(next(t for t in server.transactions
                                  if t["transaction_info"]["transaction_initiation_date"].startswith("2026-03-01")))
    added["transaction_info"]["transaction_id"] = "5TY05013RG0028099"
    server.transactions.append(added)
    server.refreshed = "2026-03-02T02:00:00+0000"
    report = fetch.run(config_mod.load(cfg), since=day, until=day, environ=environ)
    assert report.failures == [], report.failures
    said = next(line for line in report.lines if "transactions-2026-03-01.json: paypal" in line)
    assert "1 entries written" in said and "nothing new" not in said, said
    assert "its coverage record replaces the one of transactions-2026-03-01.json downloaded before" in said, said
    text = month.read_text()
    assert "5TY05013RG0028099" in text
    assert text.count('custom "beanclear-coverage" "paypal" 2026-03-01') == 2, text   # one a file of the day


def test_a_day_fetched_in_part_is_no_last_ok_and_no_day_of_the_run(paypal):
    # blind31 livefeeds: PayPal's transactions of 03-02 archived and booked, its balances
    # answering 500: the status said last_ok and failed_day both 03-02, and last_run_days
    # the run before's day
    server, cfg, environ = paypal
    assert fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 2), environ=environ).failures == []
    server.faults = [("/v1/reporting/balances", "500")] * 20
    report = fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 3), environ=environ)
    assert report.failures and (cfg.parent / "statements" / "paypal" / "transactions-2026-03-02.json").exists()
    record = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["paypal"]
    assert (record["state"], record["failed_day"], record["last_ok"], record["last_run_days"]) == (
        "failed", "2026-03-02", "2026-03-01", [])
    server.faults = []   # the next run fetches the rest of the day: ok, and that day the run's
    assert fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 3), environ=environ).failures == []
    record = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["paypal"]
    assert (record["state"], record["failed_day"], record["last_ok"], record["last_run_days"]) == (
        "ok", None, "2026-03-02", ["2026-03-02"])


def test_an_import_under_way_keeps_its_statements_pending_till_it_is_done(paypal, monkeypatch):
    # blind31 livefeeds: `serve` killed during an import restarted "ok", saying nothing of
    # the days archived but not in the books
    from beanclear.books import importing

    class Killed(BaseException):
        pass

    def killed(*args, **kwargs):
        raise Killed
    server, cfg, environ = paypal
    monkeypatch.setattr(importing, "run", killed)
    with pytest.raises(Killed):
        fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 2), environ=environ)
    pending = json.loads((cfg.parent / ".beanclear-live.json").read_text())["pending_import"]
    assert sorted(p.rsplit("/", 1)[1] for p in pending) == ["balances-2026-03-01.json", "transactions-2026-03-01.json"]
    monkeypatch.undo()
    report = fetch.run(config_mod.load(cfg), today=dt.date(2026, 3, 2), environ=environ)
    assert report.failures == [] and "pending_import" not in json.loads((cfg.parent / ".beanclear-live.json").read_text())
    record = json.loads((cfg.parent / ".beanclear-live.json").read_text())["sources"]["paypal"]
    assert (record["state"], record["last_ok"], record["last_run_days"]) == ("ok", "2026-03-01", ["2026-03-01"])
