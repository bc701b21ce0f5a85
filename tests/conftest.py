"""Shared fixtures: the real samples live in ../shared/samples (never copied here)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import shutil

import pytest
from click.testing import CliRunner

from beanclear import cli
from beanclear import config as config_mod

REPO = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("BEANCLEAR_SAMPLES", REPO.parent / "shared" / "samples"))
GOLDEN = Path(__file__).resolve().parent / "golden"

# The longest tests (a browser or a Fava process driven through a whole loop, a crash at
# every step) go first: xdist hands tests out in their order, and one of a minute started
# last would leave the other worker idle for that minute.
LONGEST_FIRST = ("test_resolve_browser.py", "test_fava_browser.py", "test_crash.py", "test_fava_upload_browser.py",
                 # simulated merchants of half a minute each (--durations, session 36: 574 s on a quiet
                 # machine with 938 s of CPU on two workers: the tail waited for these)
                 "test_match_since.py", "test_carry_forward.py", "test_unseen_merchants.py", "test_readme.py",
                 "test_ofx_streamed.py", "test_json_streamed.py", "test_report_since.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: at for at, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))   # stable: the rest keep their order


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test's report as xdist can send it: the tests feed file names and ids that are
    not UTF-8 (a GBK name read as surrogates, `\\udc80` keys), and a report whose captured
    output or failure holds one crashed the worker ("strings must be utf-8 encodable")
    instead of saying what happened. Such text is sent with those characters escaped."""
    report = (yield).get_result()
    report.sections = [(title, _sendable(text)) for title, text in report.sections]
    if report.longrepr is not None and _sendable(str(report.longrepr)) != str(report.longrepr):
        report.longrepr = _sendable(str(report.longrepr))


def _sendable(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


WECHAT_AND_BANK = """\
books: books
currency: CNY
channels:
  wechat:
    type: wechat
    settlement_days: 1
    bank: ops
    bank_days: 2
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    columns: {date: 交易日期, amount: 交易金额, memo: 摘要, payee: 对方户名, ref: 交易流水号, balance: 余额}
rules:
  - match: "房租"
    account: Expenses:Rent
"""


def sample(*parts: str) -> Path:
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(_missing(path))
    return path


def sample_case(*values):
    """A parametrize case (pytest.param of `values`), skipped where a sample Path among
    them is not there: sample() at collection, outside a test, stops the whole run."""
    missing = [v for v in values if isinstance(v, Path) and not v.exists()]
    return pytest.param(*values, marks=[pytest.mark.skip(reason=_missing(missing[0]))] if missing else [])


def _missing(path: Path) -> str:
    return f"sample {path} not found (set BEANCLEAR_SAMPLES to the samples folder)"


@pytest.fixture
def make_config(tmp_path):
    """Write a config.yaml into tmp_path and load it."""
    def make(text: str = WECHAT_AND_BANK):
        path = tmp_path / "config.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return config_mod.load(path)
    return make


def usd_config(channel: str, settlement_days: int, rest: str = "") -> str:
    """config.yaml of a merchant whose books are in USD, dated in New York, with one
    channel `channel` of that type, in USD: `rest` is what follows its settlement_days
    as written (the channel's other keys, then banks, shops, rules)."""
    return ("books: books\ncurrency: USD\ntimezone: America/New_York\nchannels:\n"
            f"  {channel}:\n    type: {channel}\n    currency: USD\n    settlement_days: {settlement_days}\n" + rest)


def write_files(folder: Path, files: dict[str, str | None]) -> Path:
    """A merchant's folder as a test lays it out: each of `files` (its path under
    `folder`: config.yaml, books/…, statements/… -> its text; None: left out) written
    as UTF-8, its folders made. Returns `folder`."""
    for name, text in files.items():
        if text is None:
            continue
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, as bytes; the lock file and the
    pickle cache Beancount leaves beside a slow-to-load ledger (both git-ignored) left out."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".beanclear.lock" and not p.name.endswith(".picklecache")}


TRADE = "gunsluo-wechatpay-v3-tradebill-ALL.csv"
FUND = "gunsluo-wechatpay-v3-fundflowbill-Basic.csv.gz"
BANK_HEADER = "交易日期,交易流水号,摘要,对方户名,交易金额,余额"


def bank_file(folder, name="bank.csv", rows=("2021-01-30,B001,财付通提现,财付通支付科技有限公司,0.03,1000.03",
                                             "2021-01-31,B002,房租,某某置业,-500.00,500.03")):
    path = folder / name
    path.write_text("\n".join(["工商银行账户明细", "账号：6222", "", BANK_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def merchant(tmp_path):
    """A merchant folder: config.yaml and statements/ with the WeChat samples and a bank CSV."""
    (tmp_path / "config.yaml").write_text(WECHAT_AND_BANK, encoding="utf-8")
    statements = tmp_path / "statements"
    statements.mkdir()
    for name in (TRADE, FUND):
        shutil.copy(sample("wechat_merchant", name), statements / name)
    bank_file(statements)
    return tmp_path


def beanclear(merchant, *args):
    """Run a beanclear command on the merchant's config, as a user would."""
    result = CliRunner().invoke(cli.main, [args[0], "-c", str(merchant / "config.yaml"), *args[1:]])
    return result


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory):
    """The demo merchant (seed 7) as demo.build returns it (its config, files, import
    results, report and problems): `demo_built()` with its known problems,
    `demo_built(problems=False)` the clean one. Each variant is built once per session
    (a build imports and checks a quarter) and shared: its folder is only read (a
    test that writes takes a demo_copy)."""
    from beanclear import demo
    built: dict[bool, demo.Demo] = {}

    def build(problems: bool = True):
        if problems not in built:
            folder = tmp_path_factory.mktemp("demo-problems" if problems else "demo-clean")
            built[problems] = demo.build(folder, REPO / "config.yaml", problems=problems)
        return built[problems]
    return build


@pytest.fixture(scope="session")
def demo_copy(demo_built, tmp_path_factory):
    """A fresh copy of the demo merchant (seed 7; config.yaml, statements/, books/):
    `demo_copy()` with its known problems, `demo_copy(problems=False)` the clean one.
    Each variant is built once per session (demo_built), then copied; Beancount's
    pickle cache is left behind, as it names the original files."""
    def copy(problems: bool = True) -> Path:
        target = tmp_path_factory.mktemp("demo-copy") / "merchant"
        shutil.copytree(demo_built(problems).config.root, target, ignore=shutil.ignore_patterns("*.picklecache"))
        return target
    return copy
