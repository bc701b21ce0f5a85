"""Each plugin line runs its own check and nothing more; what the checks share is built
once per load; the Beancount errors the plugins hand over are short; `beanclear check`
(checking.report) still has every finding, computing the checks the books leave out."""

from __future__ import annotations

import os
import textwrap

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import checking, reconcile
from beanclear.checks.findings import SHORT, FindingError

from test_checks import BANK_CREDIT, CONFIG, LATER, PAYOUT, SALE, ack

HEAD = """\
{plugins}
2000-01-01 open Assets:Clearing:WeChat
2000-01-01 open Assets:Transit:WeChat
2000-01-01 open Assets:Bank:Ops
2000-01-01 open Assets:Suspense
2000-01-01 open Income:Sales:WeChat
2000-01-01 open Expenses:Fees:WeChat
2000-01-01 open Expenses:Rent
"""


@pytest.fixture
def books(tmp_path, monkeypatch):
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG + "  stale-ack: {severity: error}\n", encoding="utf-8")
    ran = []
    for name, check in list(reconcile.CHECKS.items()):
        monkeypatch.setitem(reconcile.CHECKS, name, lambda *a, _n=name, _c=check, **k: ran.append(_n) or _c(*a, **k))
    indexed = []
    index = reconcile.indexed
    monkeypatch.setattr(reconcile, "indexed", lambda *a: indexed.append(a) or index(*a))

    def load(plugins, *parts):
        lines = "\n".join(f'plugin "beanclear.plugins.{p}" "{config}"' for p in plugins)
        doc = HEAD.format(plugins=lines) + "".join(parts) + LATER
        entries, errors, options = loader.load_string(textwrap.dedent(doc))
        return entries, errors, options, ran, indexed
    return load, config_mod.load(config)


def test_the_clearing_plugin_alone_runs_only_the_clearing_check(books):
    load, _ = books
    _, errors, _, ran, _ = load(["clearing"], SALE)
    assert ran == ["clearing"]
    assert [e.finding.code for e in errors if isinstance(e, FindingError)] == ["unsettled"]


def test_clearing_and_suspense_share_one_postings_index(books):
    load, _ = books
    _, _, _, ran, indexed = load(["clearing", "suspense"], SALE)
    assert ran == ["clearing", "suspense"] and len(indexed) == 1


def test_the_report_computes_the_checks_the_books_leave_out_once(books):
    load, config = books
    entries, errors, options, ran, _ = load(["clearing"], SALE, ack("payout-missing", "99"))
    # The report needs every check: the missing five run now, clearing is not run again.
    report = checking.report(entries, errors, config, options)
    assert sorted(ran) == sorted(reconcile.CHECKS) and ran.count("clearing") == 1
    # ...and then it knows the ack matches nothing: stale, which one plugin alone could not tell
    assert sorted(f.code for f in report.findings) == ["stale-ack", "unsettled"]
    assert [f.code for f in report.findings] == [f.code for f in reconcile.find(entries, config)]
    assert "stale-ack" not in [e.finding.code for e in errors if isinstance(e, FindingError)]


def test_every_plugin_line_the_stale_ack_is_an_error_once(books):
    load, _ = books
    every = list(reconcile.CHECKS)
    _, errors, _, ran, _ = load(every, SALE, PAYOUT.format(amount="99.40"),
                                BANK_CREDIT.format(day="03", amount="99.40"), ack("payout-missing", "99"))
    assert ran == every
    assert [e.finding.code for e in errors if isinstance(e, FindingError)] == ["stale-ack"]


def test_the_one_line_init_writes_is_the_six_lines_in_one_plugin_run(books):
    load, config = books
    every = list(reconcile.CHECKS)
    for parts in [(SALE,), (SALE, PAYOUT.format(amount="99.40"), BANK_CREDIT.format(day="03", amount="99.40"),
                            ack("payout-missing", "99"))]:
        six = load(every, *parts)
        six[3].clear(), six[4].clear()
        entries, errors, options, ran, indexed = load(["checks"], *parts)
        assert ran == every and len(indexed) == 1
        assert [e.message for e in errors] == [e.message for e in six[1]] != []
        assert [f.code for f in checking.report(entries, errors, config, options).findings] == \
            [f.code for f in checking.report(six[0], six[1], config, six[2]).findings]


def test_the_beancount_errors_are_short_and_the_report_keeps_the_detail(books, monkeypatch):
    load, config = books
    long_text = "a payout that says a great deal " * 40
    check = reconcile.CHECKS["clearing"]

    def verbose(*a, **k):
        from dataclasses import replace
        return [replace(f, message=long_text) for f in check(*a, **k)]
    monkeypatch.setitem(reconcile.CHECKS, "clearing", verbose)
    entries, errors, options, _, _ = load(["clearing"], SALE)
    [error] = [e for e in errors if isinstance(e, FindingError)]
    assert len(error.message) <= SHORT and error.message.startswith("unsettled: a payout")
    assert set(error.source) == {"filename", "lineno"}
    [finding] = [f for f in checking.report(entries, errors, config, options).findings if f.code == "unsettled"]
    assert finding.message == long_text.strip() or finding.message == long_text


def test_beancounts_pickle_cache_keeps_the_errors_and_not_what_the_checks_built(tmp_path, monkeypatch):
    """bean-check writes its cache of a slow load with the options map, where the plugins
    leave their Load: the findings' errors are cached, the walk and indexes are not
    (nothing reads them back, and they were a sixth of the cache), and a report on the
    cached load computes its own."""
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    plugins = "\n".join(f'plugin "beanclear.plugins.{p}" "config.yaml"' for p in ("clearing", "suspense"))
    main = tmp_path / "main.beancount"
    main.write_text(HEAD.format(plugins=plugins) + textwrap.dedent(SALE) + textwrap.dedent(LATER), encoding="utf-8")
    monkeypatch.setattr(loader, "PICKLE_CACHE_THRESHOLD", 0)   # cache even this small load
    loader.initialize(use_cache=True)
    try:
        first = loader.load_file(str(main))
        assert isinstance(reconcile.stored_load(first[2]), reconcile.Load)
        assert (tmp_path / ".main.beancount.picklecache").exists()
        entries, errors, options = loader.load_file(str(main))   # read back from the cache
    finally:
        loader.initialize(use_cache=os.getenv("BEANCOUNT_DISABLE_LOAD_CACHE") is None)
    assert reconcile.stored_load(options) is None
    assert [e.message for e in errors] == [e.message for e in first[1]]
    assert [e.finding.code for e in errors if isinstance(e, FindingError)] == ["unsettled"]
    report = checking.report(entries, errors, config_mod.load(config), options)
    assert [f.code for f in report.findings] == ["unsettled"]


def test_the_report_of_another_config_judges_by_that_config(books, tmp_path):
    """`beanclear check -c other.yaml` on books whose plugin lines name config.yaml: the
    plugins' findings are config.yaml's, the report is other.yaml's (a blind helper's
    contract in other.yaml was not applied: the plugins' Load was reused)."""
    load, config = books
    entries, errors, options, _, _ = load(["clearing"], SALE)
    assert [f.severity for f in checking.report(entries, errors, config, options).findings] == ["error"]
    other = tmp_path / "other.yaml"
    other.write_text(CONFIG + "  stale-ack: {severity: error}\n  unsettled: {severity: warning}\n", encoding="utf-8")
    report = checking.report(entries, errors, config_mod.load(other), options)
    assert [(f.code, f.severity) for f in report.findings] == [("unsettled", "warning")]


def test_a_load_of_the_books_imports_no_writer(tmp_path):
    """bean-check and Fava load the books in a fresh process: the checks import what they
    read and no more — not the writer (books/disk.py), not the importers' readers, not the
    page, not the resolution actions (resolve/: the checks read the write-offs and
    follow-ups in checks/write_offs.py and checks/resolutions.py). Each module is
    milliseconds of every `bean-check` (issue #15: the plugin's imports were 56 ms of a
    0.95 s check of the demo's books)."""
    import subprocess
    import sys
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    main = tmp_path / "main.beancount"
    plugin = 'plugin "beanclear.plugins.checks" "config.yaml"'
    main.write_text(HEAD.format(plugins=plugin) + textwrap.dedent(SALE) + textwrap.dedent(LATER), encoding="utf-8")
    script = ("import sys; from beancount import loader; e, errors, o = loader.load_file(sys.argv[1]); "
              "assert 'beanclear_findings' in o; print(' '.join(m for m in sys.modules if m.startswith('beanclear')))")
    done = subprocess.run([sys.executable, "-c", script, str(main)], capture_output=True, text=True,
                          env={**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}, check=True)
    loaded = set(done.stdout.split())
    assert "beanclear.checks.clearing" in loaded
    assert not loaded & {"beanclear.books.disk", "beanclear.importers.base", "beanclear.importers.toolkit.text",
                          "beanclear.importers.toolkit.values", "beanclear.fava_page", "beanclear.cli",
                          "beanclear.resolve", "beanclear.books.atomic", "beanclear.books.edits"}
