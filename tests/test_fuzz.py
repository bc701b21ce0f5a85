"""Hostile input, generated: real statements (../shared/samples, tests/data) and
config.yaml mutated by byte flips, truncation, duplicated and deleted lines, huge
fields and control bytes. Whatever the bytes, the library functions the CLI calls raise
StatementError or ConfigError (exit 2, `file:line: …`) and nothing else, and never hang;
a statement that is accepted imports once: a second import writes nothing.

Examples are few by default (the file runs in well under a minute); set
BEANCLEAR_FUZZ_EXAMPLES=500 to run many more per case.
"""

from __future__ import annotations

import os
import signal
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from beanclear import config as config_mod  # noqa: E402
from beanclear.books import importing  # noqa: E402
from beanclear.config import ConfigError  # noqa: E402
from beanclear.importers.toolkit import StatementError  # noqa: E402
from conftest import REPO, SAMPLES, WECHAT_AND_BANK, beanclear, snapshot  # noqa: E402

EXAMPLES = int(os.environ.get("BEANCLEAR_FUZZ_EXAMPLES", "0"))
DATA = Path(__file__).resolve().parent / "data"

# Every statement format, with a config that reads it: (file, role, type, currency).
SEEDS = [
    ("alipay_personal/deg-alipay-2023format-gbk.csv", "channel", "alipay-personal", "CNY"),
    ("alipay_personal/dhr-alipay-full-utf8.csv", "channel", "alipay-personal", "CNY"),
    ("wechat_personal/deg-wechat-records.csv", "channel", "wechat-personal", "CNY"),
    ("wechat_personal/deg-wechat-records.xlsx", "channel", "wechat-personal", "CNY"),
    ("wechat_merchant/gunsluo-wechatpay-v3-tradebill-ALL.csv", "channel", "wechat", "CNY"),
    ("wechat_merchant/gunsluo-wechatpay-v3-fundflowbill-Basic.csv.gz", "channel", "wechat", "CNY"),
    ("wechat_merchant/wxjava-tradebill-ALL.csv", "channel", "wechat", "CNY"),
    ("stripe_csv/hledger-stripe-balance_change_from_activity.csv", "channel", "stripe", "USD"),
    ("stripe_csv/kostagit-stripe-application-fees-eu-decimal.csv", "channel", "stripe", "USD"),
    ("stripe_api_json/stripe-openapi-balance_transaction.json", "channel", "stripe", "USD"),
    ("stripe_api_json/stripe-openapi-payout.json", "channel", "stripe", "USD"),
    ("paypal_csv/oca-paypal-activity_en.csv", "channel", "paypal", "USD"),
    ("paypal_csv/oca-paypal-statement_en.csv", "channel", "paypal", "USD"),
    ("paypal_api_json/srmklive-paypal-transaction-search-response.json", "channel", "paypal", "USD"),
    ("paypal_api_json/srmklive-paypal-balances-response.json", "channel", "paypal", "USD"),
    ("bank_ofx/ofxparse-checking.ofx", "bank", "ofx", "USD"),
    ("bank_ofx/ofxparse-suncorp.ofx", "bank", "ofx", "USD"),
    ("camt053/oca-test-camt053.xml", "bank", "camt053", "EUR"),
    ("camt053/genkgo-camt053.v8.xml", "bank", "camt053", "EUR"),
    ("mt940/mt940-jejik-abnamro.sta", "bank", "mt940", "EUR"),
    ("mt940/mt940-february_30.sta", "bank", "mt940", "EUR"),
    ("bank_csv/deg-boc-debit.csv", "bank", "boc", "CNY"),
    ("bank_csv/deg-cmb-debit.csv", "bank", "cmb", "CNY"),
    ("bank_csv/deg-hsbchk-debit.csv", "bank", "hsbc-hk", "HKD"),
    ("bank_csv/deg-td-noheader.csv", "bank", "td", "CAD"),
    ("bank_csv/reds-dcu-checking.csv", "bank", "dcu", "USD"),
    ("marketplace_shopify/batmanutd-shopify_orders_sample.csv", "shop", "shopify", "USD"),
    ("data:airwallex/financial_transactions.json", "channel", "airwallex", "USD"),
    ("data:airwallex/settlements.json", "channel", "airwallex", "USD"),
    ("data:stripe/unified_payments.csv", "channel", "stripe", "USD"),
    ("data:stripe/balance_history_eu.csv", "channel", "stripe", "EUR"),
    ("data:stripe/payout_reconciliation.itemized.csv", "channel", "stripe", "USD"),
    ("data:paypal/statement_es.csv", "channel", "paypal", "EUR"),
    ("data:pingpong/export.csv", "channel", "pingpong", "USD"),
]

# Sources whose layout config.yaml gives: their keys beside type and currency.
EXTRA = {
    "pingpong": "columns: {date: 交易时间, id: 交易流水号, type: 交易类型, amount: 交易金额, currency: 币种, fee: 手续费, "
                "target_amount: 到账金额, target_currency: 到账币种, fx_rate: 汇率, status: 交易状态, balance: 账户余额, "
                "memo: 备注}",
    "dcu": 'date_format: "%m/%d/%Y"\n'
           "columns: {date: DATE, amount: AMOUNT, memo: DESCRIPTION, ref: ID, balance: CURRENT BALANCE}",
}


def seed_path(name: str) -> Path:
    path = DATA / name[5:] if name.startswith("data:") else SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} not found")
    return path


def config_text(role: str, kind: str, currency: str) -> str:
    section = {"bank": "banks", "shop": "shops"}.get(role, "channels")
    body = f"type: {'csv' if kind == 'dcu' else kind}\ncurrency: {currency}\n"
    body += "account: Assets:Bank:Src\n" if role == "bank" else ""
    body += EXTRA.get(kind, "")
    return f"books: books\ncurrency: {currency}\n{section}:\n  src:\n" + textwrap.indent(body, "    ") + "\n"


def examples(default: int) -> settings:
    return settings(max_examples=EXAMPLES or default, deadline=None, derandomize=not EXAMPLES,
                    suppress_health_check=list(HealthCheck), database=None)


@contextmanager
def time_limit(seconds: float):
    """A hang is a failure, not a stuck test run."""
    def expired(*_):
        raise TimeoutError(f"no answer within {seconds} s: a hang")
    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- mutations ---------------------------------------------------------------------

CONTROL_BYTES = [b"\x00", b"\x01", b"\x1b", b"\x7f", b"\xc2\x85", b"\xc2\x9f", b"\x0b", b"\x0c"]


@st.composite
def mutation(draw, data: bytes) -> bytes:
    n = max(len(data), 1)
    kind = draw(st.sampled_from(["flip", "truncate", "dup_line", "del_line", "huge", "control", "splice"]))
    at = draw(st.integers(0, n - 1))
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:] if data else b"\xff"
    if kind == "truncate":
        return data[:at]
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "dup_line":
        return b"\n".join(lines[:i + 1] + [lines[i]] * draw(st.integers(1, 3)) + lines[i + 1:])
    if kind == "del_line":
        return b"\n".join(lines[:i] + lines[i + 1:])
    if kind == "huge":
        return data[:at] + draw(st.sampled_from([b"9", b"x", b"\xe4\xb8\xad", b"\"", b","])) \
            * draw(st.integers(300, 20000)) + data[at:]
    if kind == "control":
        return data[:at] + draw(st.sampled_from(CONTROL_BYTES)) + data[at:]
    return data[:at] + draw(st.binary(max_size=40)) + data[at:]


@st.composite
def mutated(draw, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        data = draw(mutation(data))
    return data


# -- statements --------------------------------------------------------------------

@pytest.fixture(scope="module")
def setups(tmp_path_factory):
    """One merchant folder and loaded config per seed's source type."""
    made = {}

    def setup(role, kind, currency):
        key = (role, kind, currency)
        if key not in made:
            folder = tmp_path_factory.mktemp(f"{kind}-{currency}")
            (folder / "config.yaml").write_text(config_text(*key), encoding="utf-8")
            made[key] = (folder, config_mod.load(folder / "config.yaml"))
        return made[key]
    return setup


@pytest.mark.parametrize("name, role, kind, currency", SEEDS, ids=[s[0].split("/")[-1] for s in SEEDS])
def test_mutated_statements_fail_only_as_statement_errors(setups, name, role, kind, currency):
    original = seed_path(name).read_bytes()
    folder, config = setups(role, kind, currency)
    [importer] = importing.identify(seed_path(name), importing.for_config(config), None)
    path = folder / ("fuzzed-" + seed_path(name).name)

    @examples(20)
    @given(data=mutated(original))
    def check(data):
        path.write_bytes(data)
        with time_limit(20):
            for call in (lambda: importer.read(str(path)),
                         lambda: importing.run(config, [path], dry_run=True)):
                try:
                    call()
                except StatementError as exc:
                    assert str(exc).startswith(str(path)) or "no such" in str(exc), str(exc)
                    assert len(str(exc)) < 2000, str(exc)[:300]
    check()


@pytest.mark.parametrize("name, role, kind, currency", [
    ("bank_csv/deg-cmb-debit.csv", "bank", "cmb", "CNY"),
    ("wechat_merchant/gunsluo-wechatpay-v3-tradebill-ALL.csv", "channel", "wechat", "CNY"),
    ("paypal_api_json/srmklive-paypal-transaction-search-response.json", "channel", "paypal", "USD"),
    ("camt053/oca-test-camt053.xml", "bank", "camt053", "EUR"),
], ids=["bank-csv", "wechat", "paypal-json", "camt053"])
def test_an_accepted_statement_imports_once(tmp_path_factory, name, role, kind, currency):
    original = seed_path(name).read_bytes()

    @examples(8)
    @given(data=mutated(original))
    def check(data):
        merchant = tmp_path_factory.mktemp("merchant")
        (merchant / "config.yaml").write_text(config_text(role, kind, currency), encoding="utf-8")
        statement = merchant / seed_path(name).name
        statement.write_bytes(data)
        with time_limit(30):
            first = beanclear(merchant, "import", str(statement))
            assert first.exit_code in (0, 2), first.output
            assert first.exception is None or isinstance(first.exception, SystemExit), repr(first.exception)
            if first.exit_code != 0:
                return
            books = snapshot(merchant / "books")
            second = beanclear(merchant, "import", str(statement))
        assert second.exit_code == 0, second.output
        assert snapshot(merchant / "books") == books, second.output
    check()


# -- config.yaml -------------------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n" \
       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
YAML_PIECES = ["&a", "*a", "<<: *a", "- ", ": ", "{", "}", "[", "]", "\t", "\x00", "'", '"', "!!python/object:os.system",
               "rules:\n  - match: '(a+)+$'\n    account: Expenses:X\n", BOMB, "books: other\n", "x" * 5000]


@st.composite
def mutated_yaml(draw, text: str) -> bytes:
    data = text.encode("utf-8")
    if draw(st.booleans()):
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, draw(st.sampled_from(YAML_PIECES)))
        data = "\n".join(lines).encode("utf-8")
    return draw(mutated(data)) if draw(st.booleans()) else data


@pytest.mark.parametrize("seed", ["tests", "repo"])
def test_mutated_config_fails_only_as_config_errors(tmp_path, seed):
    text = WECHAT_AND_BANK if seed == "tests" else (REPO / "config.yaml").read_text(encoding="utf-8")
    path = tmp_path / "config.yaml"

    @examples(80)
    @given(data=mutated_yaml(text))
    def check(data):
        path.write_bytes(data)
        with time_limit(10):
            try:
                config_mod.load(path)
            except ConfigError as exc:
                assert len(str(exc)) < 2000, str(exc)[:300]
    check()


def test_fuzz_seeds_cover_every_sample_folder():
    """A new sample format gets a seed here."""
    if not SAMPLES.exists():
        pytest.skip("no samples")
    seeded = {name.split("/")[0] for name, *_ in SEEDS if not name.startswith("data:")}
    assert {p.name for p in SAMPLES.iterdir() if p.is_dir()} <= seeded


def test_seed_files_exist_in_tests_data():
    for name, *_ in SEEDS:
        if name.startswith("data:"):
            assert (DATA / name[5:]).exists(), name

