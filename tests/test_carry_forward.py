"""`beanclear carry YYYY-MM` (periods/forward.py): the books from a month on, what came
before carried forward. They must judge their own days exactly as the whole books do,
keep every account's balances, leave the books untouched, and say when they go stale."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from conftest import beanclear, snapshot

from beanclear import books
from beanclear.checks import checking
from beanclear.config import load as load_config
from beanclear.periods import forward


@pytest.fixture(scope="module")
def problems_demo(demo_copy):
    return demo_copy()


@pytest.fixture(scope="module")
def clean_demo(demo_copy):
    return demo_copy(problems=False)


@pytest.fixture
def merchant(problems_demo, tmp_path):
    shutil.copytree(problems_demo, tmp_path / "m")
    return tmp_path / "m"


@pytest.fixture
def clean(clean_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "alice")
    shutil.copytree(clean_demo, tmp_path / "m")
    return tmp_path / "m"


def _key(f):
    return f.code, f.date, f.refs, f.amount, f.acknowledged


def _balances(entries) -> dict:
    out: dict = {}
    for entry in entries:
        for p in getattr(entry, "postings", ()):
            key = (p.account, p.units.currency)
            out[key] = out.get(key, 0) + p.units.number
    return {k: v for k, v in out.items() if v and k[0] != forward.EQUITY}


def judged(root: Path) -> tuple[list, list]:
    """The whole books' entries and findings (carrying forward leaves them as they are:
    one judgement serves every month compared)."""
    config = load_config(root / "config.yaml")
    entries, errors, options = books.load(config.books / "main.beancount")
    return entries, checking.report(entries, errors, config, options).findings


def compare(root: Path, month: str, lookback: int | None = None, whole_books: tuple[list, list] | None = None):
    """(findings of the whole books from the month's first day, those of the books
    carried forward to it, both books' balances, the carried books' entries and findings).
    `whole_books`: judged(root), where several months of the same books are compared."""
    config = load_config(root / "config.yaml")
    start = dt.date(int(month[:4]), int(month[5:]), 1)
    entries, whole = whole_books or judged(root)
    path, _ = forward.carry(config, month, lookback)
    v_entries, v_errors, v_options = books.load(path)
    seen = checking.report(v_entries, v_errors, config, v_options).findings
    if lookback is not None:   # shorter than the config's windows: the ledger says so, expected here
        seen = [f for f in seen if not f.message.startswith("beanclear: the checks now read back")]
    return ([_key(f) for f in whole if f.date is None or f.date >= start],
            [_key(f) for f in seen if f.date is None or f.date >= start],
            (_balances(entries), _balances(v_entries)), v_entries, seen)


def test_the_books_from_march_judge_march_as_the_whole_books_do(merchant):
    books_before = snapshot(merchant / "books")
    whole, seen, (b_whole, b_carried), v_entries, found = compare(merchant, "2026-03")
    assert whole and sorted(seen, key=str) == sorted(whole, key=str)
    assert b_carried == b_whole
    assert not [f for f in found if f.code == "beancount"]
    assert not [f for f in found if f.date is not None and f.date < dt.date(2026, 3, 1)]
    # the books are untouched: one file more
    after = snapshot(merchant / "books")
    assert set(after) - set(books_before) == {"since-2026-03.beancount"}
    assert all(after[name] == books_before[name] for name in books_before)
    # January's first days are carried as balances, the rest entry by entry, and so are
    # the payouts still in transit where the lookback starts (forward._InTransit), each with
    # a step of balances the day before it
    carried = [e for e in v_entries if str(e.meta.get("id", "")).startswith(forward.CARRIED_ID)]
    window = dt.date(2026, 3, 1) - dt.timedelta(days=forward.lookback(load_config(merchant / "config.yaml")))
    assert [e.date for e in carried] == sorted({day - dt.timedelta(days=1) for day in
                                                {window, *(e.date for e in in_transit(v_entries, window))}})
    ours = [e for e in v_entries if e.meta["filename"].endswith("since-2026-03.beancount") and hasattr(e, "postings")]
    assert min(e.date for e in ours if e not in carried) > carried[0].date


def in_transit(v_entries, window: dt.date) -> list:
    """The transactions a carried ledger holds entry by entry from before its lookback:
    the payouts still in transit where it starts (forward._InTransit), and nothing else."""
    before = [e for e in v_entries if hasattr(e, "postings") and e.date < window
              and os.path.basename(e.meta["filename"]).startswith("since-")
              and not str(e.meta.get("id", "")).startswith(forward.CARRIED_ID)]
    # (with a payout, what its link ties to it in transit: a part credited, a write-off)
    assert all(e.meta.get("payout-id") or any(l.startswith("payout-") for l in e.links) for e in before), \
        [e.meta.get("id") for e in before]
    return [e for e in before if e.meta.get("payout-id")]


def test_the_daily_sales_and_refunds_are_the_whole_books_from_the_lookback_on(merchant):
    """The carried balances are money that was there, not a day's sales: the refund
    checks' series and the page's charts start at the lookback, as in the whole books."""
    from beanclear.checks import reconcile
    config = load_config(merchant / "config.yaml")
    entries, _, _ = books.load(config.books / "main.beancount")
    path, _ = forward.carry(config, "2026-03")
    carried, _, _ = books.load(path)
    window = dt.date(2026, 3, 1) - dt.timedelta(days=forward.lookback(config))

    def series(entries, since=None):
        out = reconcile.Load(entries, config).daily(entries)
        return {key: ({d: v for d, v in s.sales.items() if since is None or d >= since},
                      {d: v for d, v in s.refunds.items() if since is None or d >= since}) for key, s in out.items()}
    assert series(carried) == series(entries, window)


def test_an_acknowledged_finding_before_the_start_is_not_a_stale_ack_after_it(merchant, demo_built):
    early = next(f for f in demo_built().report.findings   # the merchant's books are a copy of that build's
                 if f.date and f.date < dt.date(2026, 3, 1) and f.refs and f.code != "statement-gap")
    assert beanclear(merchant, "ack", early.code, early.refs[0], "--reason", "seen in February").exit_code == 0
    _, _, _, _, found = compare(merchant, "2026-03")
    assert not [f for f in found if f.code == "stale-ack"]


def test_assertions_of_closed_months_hold_when_carried_forward(clean):
    """A closed month's balance assertions (periods.beancount, included as
    it is) fall before the lookback: balances are carried in steps, one the day before
    each, so every assertion holds."""
    assert beanclear(clean, "close", "2026-01").exit_code == 0
    whole, seen, (b_whole, b_carried), v_entries, found = compare(clean, "2026-03", lookback=10)
    assert not [f for f in found if f.code == "beancount"], [f.message for f in found if f.code == "beancount"]
    assert b_carried == b_whole and seen == whole
    carried = [e.date for e in v_entries if str(e.meta.get("id", "")).startswith(forward.CARRIED_ID)]
    window = dt.date(2026, 2, 19)
    assert carried == sorted({dt.date(2026, 1, 31), *(day - dt.timedelta(days=1) for day in
                                                      {window, *(e.date for e in in_transit(v_entries, window))})})


def _month_line(root: Path, day: str) -> None:
    """A bank line in a month of its own (the demo's statements end in April), as an import writes it."""
    path = root / "books" / "icbc" / day[:4] / f"{day[:7]}.beancount"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{day} * "房租" "房租"\n  id: "late-{day}"\n  Assets:Bank:ICBC  -100.00 CNY\n'
                    f"  Expenses:Rent  100.00 CNY\n", encoding="utf-8")


def _stale_messages(path: Path) -> list[str]:
    _, errors, _ = books.load(path)
    return [e.message for e in errors if e.message.startswith("beanclear: ")]


def test_a_new_month_is_stale_until_carry_again_includes_it(clean):
    result = beanclear(clean, "carry", "2026-02")
    assert result.exit_code == 0, result.output
    path = clean / "books" / "since-2026-02.beancount"
    assert _stale_messages(path) == []
    before = path.read_text(encoding="utf-8")
    _month_line(clean, "2026-07-02")
    assert _stale_messages(path) == ["beanclear: these books from 2026-02 leave out icbc/2026/2026-07.beancount: "
                                     "run `beanclear carry 2026-02` to include it"]
    result = beanclear(clean, "carry", "2026-02")
    assert "its includes brought up to date" in result.output
    after = path.read_text(encoding="utf-8")
    assert after == before + 'include "icbc/2026/2026-07.beancount"\n'
    assert _stale_messages(path) == []
    assert "up to date; nothing was written" in beanclear(clean, "carry", "2026-02").output


def test_a_change_before_the_start_is_stale_until_carried_again(clean):
    result = beanclear(clean, "carry", "2026-03")
    assert result.exit_code == 0
    assert ("since-2026-03.beancount written: the books from 2026-03-01 on, what came before carried forward; "
            "2026-01, 2026-02 are not closed: findings dated before 2026-03-01 are not shown here "
            "(`beanclear check` lists them)") in result.output
    path = clean / "books" / "since-2026-03.beancount"
    january = next((clean / "books").glob("icbc/2026/2026-01.beancount"))
    january.write_text(january.read_text(encoding="utf-8") + "; a note\n", encoding="utf-8")
    assert _stale_messages(path) == ["beanclear: the month files before 2026-03 changed since they were carried "
                                     "forward: run `beanclear carry 2026-03` again"]
    result = beanclear(clean, "carry", "2026-03")
    assert "written: the books from 2026-03-01 on" in result.output
    assert _stale_messages(path) == []


def test_windows_grown_past_the_lookback_are_stale_until_carried_again(clean):
    assert beanclear(clean, "carry", "2026-03").exit_code == 0
    path = clean / "books" / "since-2026-03.beancount"
    config = clean / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("settlement_days: 8 ", "settlement_days: 60 "),
                      encoding="utf-8")
    assert _stale_messages(path) == ["beanclear: the checks now read back 74 days (config.yaml), more than the 42 "
                                     "carried entry by entry: run `beanclear carry 2026-03` again"]
    assert "written: the books from 2026-03-01 on" in beanclear(clean, "carry", "2026-03").output
    assert _stale_messages(path) == []


@pytest.mark.parametrize("month", ["2026-13", "march", ""])
def test_a_bad_month_is_exit_2_and_nothing_written(clean, month):
    before = snapshot(clean / "books")
    result = beanclear(clean, "carry", month)
    assert result.exit_code == 2 and "expected YYYY-MM" in result.output
    assert snapshot(clean / "books") == before


@pytest.mark.parametrize("month", ["2026-05", "2027-01"])
def test_a_month_after_the_books_is_a_bad_month(clean, month):
    """blind9 (tester 205): README, carry exits 2 on a bad month. `carry 2027-01`, long
    after the books' last entry, wrote a ledger of nothing and named the months before it
    "not closed". A month after the books' last entry (the demo's April 1 balances) holds
    nothing to show: exit 2, saying where the books end, nothing written; `check --since`
    alike. The month of the last entry is carried (must not fire)."""
    before = snapshot(clean / "books")
    for args in (("carry", month), ("check", "--since", month)):
        result = beanclear(clean, *args)
        assert result.exit_code == 2, result.output
        assert result.output == (f"beanclear: {month}: the books hold no entry in that month or after it (they end "
                                 "at 2026-04-01, books/hsbc/2026/2026-04.beancount); nothing was written\n")
        assert snapshot(clean / "books") == before
    result = beanclear(clean, "carry", "2026-04")
    assert result.exit_code == 0, result.output
    assert "since-2026-04.beancount written: the books from 2026-04-01 on" in result.output


def test_a_long_simulated_merchant_judged_the_same_from_its_months(tmp_path):
    """A simulated merchant of 200 days (shape and problems drawn from a seed): the books
    carried forward to its months judge from each month on as the whole books do, and
    carried with a one-day lookback they do not (a bank credit of June 1 answers a
    payout of May): the comparison can fail, and the lookback is what makes it pass."""
    from beanclear.simulation import config as config_mod
    from beanclear.simulation.shape import draw
    from beanclear.simulation.truth import build
    from beanclear.simulation.writers import write_all
    from beanclear import cli
    from click.testing import CliRunner
    shape = draw(21320, "big")
    shape.days = 200
    config_mod.write(shape, tmp_path / "config.yaml")
    write_all(build(shape, False), tmp_path / "statements")
    result = CliRunner().invoke(cli.main, ["import", "-c", str(tmp_path / "config.yaml"), str(tmp_path / "statements")])
    assert result.exit_code == 0, result.output
    whole_books = judged(tmp_path)   # loaded and judged once, not once a month
    count = 0
    # (June: with the one-day lookback below, which asks more of it)
    for month in ("2026-05", "2026-08"):
        whole, seen, balances, _, found = compare(tmp_path, month, whole_books=whole_books)
        assert sorted(seen, key=str) == sorted(whole, key=str), month
        assert balances[0] == balances[1], month
        count += len(whole)
    assert count
    # With a one-day lookback, the bank credit of June 1 that answers a payout of May
    # finds it still: a payout still in transit is carried entry by entry whatever its age
    # (forward._InTransit). Carried as a balance, it was a false bank-unmatched (blind21).
    whole, seen, balances, v_entries, _ = compare(tmp_path, "2026-06", lookback=1, whole_books=whole_books)
    assert balances[0] == balances[1]
    assert in_transit(v_entries, dt.date(2026, 5, 31))
    assert sorted(seen, key=str) == sorted(whole, key=str)


def test_an_import_of_a_new_month_joins_the_books_carried_forward(clean):
    """What an import adds after the start shows in the ledger open in Fava: the new
    month file's include goes in with the import's own write."""
    assert beanclear(clean, "carry", "2026-03").exit_code == 0
    path = clean / "books" / "since-2026-03.beancount"
    before = path.read_text(encoding="utf-8")
    statement = clean / "icbc-july.csv"
    header = "交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,余额"
    statement.write_bytes("\n".join(["中国工商银行账户明细", "账号：6222021001123456789", "户名：清风茶舍",
                                     "起止日期：2026-07-02 至 2026-07-02", "", header,
                                     "2026-07-02,2026070209999,房租,上海某某置业有限公司,,100.00,"]).encode("gb18030"))
    result = beanclear(clean, "import", str(statement), "--force")
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == before + 'include "icbc/2026/2026-07.beancount"\n'
    assert _stale_messages(path) == []


def test_favas_reconciliation_page_on_the_books_from_march(merchant):
    """`fava books/since-2026-03.beancount`: the page loads, and its findings table is the
    carried books' report (March on), as on the whole books it is theirs."""
    fava_application = pytest.importorskip("fava.application")
    from fava_util import PAGE
    from test_fava_page import rows
    config = load_config(merchant / "config.yaml")
    path, _ = forward.carry(config, "2026-03")
    app = fava_application.create_app([path], load=True)
    app.testing = True
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    response = client.get(f"/{slug}/{PAGE}")
    assert response.status_code == 200
    entries, errors, options = books.load(path)
    report = checking.report(entries, errors, config, options).findings
    shown = rows(response.get_data(as_text=True), "bc-finding")
    assert report and [(r["code"], r["severity"], r["source"]) for r in shown] == [
        (f.code, f.severity, f.source) for f in report]


def _hand_written(clean: Path, text: str) -> None:
    january = clean / "books" / "icbc" / "2026" / "2026-01.beancount"
    january.write_text(january.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_an_entry_written_by_hand_without_an_amount_is_carried_by_its_balance(clean):
    """Month files are read one at a time; a posting without its number is filled in
    as a load fills it, so the carried balances are still the whole books'."""
    _hand_written(clean, '\n2026-01-05 * "房租" "paid by hand"\n  Expenses:Rent  1234.56 CNY\n  Assets:Bank:ICBC\n')
    whole, seen, (b_whole, b_carried), _, found = compare(clean, "2026-03", lookback=10)
    assert b_carried == b_whole and seen == whole
    assert b_whole[("Expenses:Rent", "CNY")] > 1234


def test_a_lot_held_at_cost_before_the_start_is_refused(clean):
    _hand_written(clean, '\n2026-01-05 * "shares"\n  Assets:Bank:ICBC  1 AAPL {100.00 CNY}\n  Assets:Bank:ICBC\n')
    before = snapshot(clean / "books")
    result = beanclear(clean, "carry", "2026-03")
    assert result.exit_code == 2
    assert "2026-01.beancount:" in result.output and "a lot held at cost cannot be carried forward" in result.output
    assert snapshot(clean / "books") == before


def test_check_since_a_month_lists_what_the_whole_check_lists_from_it(merchant):
    """`beanclear check --since 2026-03`: the books carried forward (written when
    missing, left as they are when up to date), and from March on the findings of the
    whole check, with its exit status."""
    import json
    whole = beanclear(merchant, "check", "--format", "json")
    since = beanclear(merchant, "check", "--since", "2026-03", "--format", "json")
    assert (merchant / "books" / "since-2026-03.beancount").exists()
    start = "2026-03-01"

    def listed(result):
        return sorted((f["code"], f["date"], tuple(f["refs"]), f["amount"]) for f in
                      json.loads(result.output)["findings"] if f["date"] is None or f["date"] >= start)
    assert listed(since) and listed(since) == listed(whole)
    assert all(f["date"] is None or f["date"] >= start for f in json.loads(since.output)["findings"])
    assert since.exit_code == whole.exit_code == 1
    carried = snapshot(merchant / "books")
    assert beanclear(merchant, "check", "--since", "2026-03", "--format", "json").output == since.output
    assert snapshot(merchant / "books") == carried   # up to date: nothing written again


def test_check_since_a_bad_month_is_exit_2(clean):
    before = snapshot(clean / "books")
    result = beanclear(clean, "check", "--since", "march")
    assert result.exit_code == 2 and "expected YYYY-MM" in result.output
    assert snapshot(clean / "books") == before
