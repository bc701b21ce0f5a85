"""Reference prices (`beanclear prices import`) and the fx-gap check."""

from __future__ import annotations

import shutil
import textwrap
from decimal import Decimal

import pytest
from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile
from beanclear.checks.findings import FindingError
from conftest import WECHAT_AND_BANK, snapshot

# -- prices import ---------------------------------------------------------------------


@pytest.fixture
def merchant(tmp_path):
    (tmp_path / "config.yaml").write_text("books: books\ncurrency: CNY\n", encoding="utf-8")
    return tmp_path


def prices(merchant, *args):
    """`beanclear prices import -c config.yaml ARGS`, as a user types it."""
    from click.testing import CliRunner
    from beanclear import cli
    return CliRunner().invoke(cli.main, ["prices", "import", "-c", str(merchant / "config.yaml"), *args])


def write(folder, name, text):
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def prices_text(merchant):
    return (merchant / "books" / "prices.beancount").read_text(encoding="utf-8")


def test_rates_become_price_directives_in_date_order_once(merchant):
    rates = write(merchant, "rates.csv", """\
        date,pair,rate
        2026-01-06,USD/CNY,7.1300
        2026-01-05,USD/CNY,7.1234
        2026/01/05,EURCNY,7.8012
        """)
    first = prices(merchant, str(rates))
    assert first.exit_code == 0, first.output
    assert "3 rates read, 3 prices written, 0 already in the books" in first.output
    text = prices_text(merchant)
    assert text.index("2026-01-05 price EUR 7.8012 CNY") < text.index("2026-01-05 price USD 7.1234 CNY") \
        < text.index("2026-01-06 price USD 7.1300 CNY")
    before = snapshot(merchant / "books")
    again = prices(merchant, str(rates))
    assert "0 prices written, 3 already in the books" in again.output
    assert snapshot(merchant / "books") == before
    assert 'include "prices.beancount"' in (merchant / "books" / "main.beancount").read_text()


def test_central_bank_series_layouts(merchant):
    cfets = write(merchant, "cfets.csv", """\
        日期,USD/CNY,100JPY/CNY,EUR/CNY
        2026-01-05,7.1234,4.8123,
        """)
    ecb = write(merchant, "ecb.csv", """\
        Date,USD,JPY,
        2026-01-05,1.0813,N/A,
        """)
    result = prices(merchant, str(cfets))
    assert "3 rates read, 2 prices written, 0 already in the books, skipped 1 without a rate that day" in result.output
    assert prices(merchant, "--base", "EUR", str(ecb)).exit_code == 0
    text = prices_text(merchant)
    assert "2026-01-05 price JPY 0.048123 CNY" in text       # 100 JPY = 4.8123 CNY
    assert "2026-01-05 price EUR 1.0813 USD" in text


def test_people_s_edits_are_kept_and_their_prices_win(merchant):
    write(merchant, "a.csv", "date,pair,rate\n2026-01-02,USD/CNY,7.10\n2026-01-09,USD/CNY,7.20\n")
    assert prices(merchant, str(merchant / "a.csv")).exit_code == 0
    path = merchant / "books" / "prices.beancount"
    edited = prices_text(merchant).replace("2026-01-09", "; checked against the PBOC site\n2026-01-09") \
        + "2026-01-05 price USD 7.15 CNY ; typed by hand\n"
    path.write_text(edited, encoding="utf-8")
    write(merchant, "b.csv", "date,pair,rate\n2026-01-05,USD/CNY,7.16\n2026-01-06,USD/CNY,7.17\n")
    result = prices(merchant, str(merchant / "b.csv"))
    assert "1 prices written, 1 already in the books" in result.output
    assert "USD/CNY on 2026-01-05: the books say 7.15, the file 7.16 (kept the books')" in result.output
    lines = prices_text(merchant).splitlines()
    assert "2026-01-06 price USD 7.17 CNY" in lines
    kept = iter(lines)                                             # every line a person wrote, in order
    assert all(line in kept for line in edited.splitlines())
    assert lines.index("2026-01-06 price USD 7.17 CNY") < lines.index("2026-01-09 price USD 7.20 CNY")


@pytest.mark.parametrize("rows, message", [
    ("2026-01-05,USD/CNY,seven", "r.csv:3: column rate: expected a positive rate like 7.1234, got 'seven'"),
    ("2026-01-05,USD/CNY,-7.1", "r.csv:3: column rate: expected a positive rate"),
    ("05.01.2026,USD/CNY,7.1", "r.csv:3: expected a date like 2026-01-05, got '05.01.2026'"),
    ("2026-01-05,US$,7.1", "r.csv:3: expected a currency pair like USD/CNY, got 'US$'"),
    ("2026-01-05,USD/CNY", "r.csv:3: expected 3 cells as in the header, got 2"),
    ("2026-01-05,USD/CNY,7.2", "r.csv:3: a second rate for USD/CNY on 2026-01-05: 7.2, line 2 says 7.1"),
    # the bound of every amount: 1e400 made a 401-digit price line bean-check could not read (blind8)
    ("2026-01-06,USD/CNY,1e400", "r.csv:3: column rate: expected an amount of at most 24 digits, got '1e400'"),
    ("2026-01-06,USD/CNY,1e-30", "r.csv:3: column rate: expected an amount of at most 24 digits, got '1e-30'"),
])
def test_bad_rows_name_file_and_line_and_write_nothing(merchant, rows, message):
    path = write(merchant, "r.csv", f"date,pair,rate\n2026-01-05,USD/CNY,7.1\n{rows}\n")
    result = prices(merchant, str(path))
    assert result.exit_code == 2
    assert f"{merchant / message.split(':', 1)[0]}:{message.split(':', 1)[1]}" in result.output
    assert not (merchant / "books").exists() or snapshot(merchant / "books") == {}


@pytest.mark.parametrize("text, message", [
    ("vm-1234\n", "h:1: expected a header with date, pair (or base and quote) and rate columns, or date and one "
     "column per currency pair, got 'vm-1234'"),   # /etc/hostname was "0 rates read", exit 0 (blind8)
    ("date,pair,rate\n", "h:1: no rates below the header"),
])
def test_a_file_that_holds_no_rates_table_is_refused_saying_the_layout(merchant, text, message):
    path = write(merchant, "h", text)
    result = prices(merchant, str(path))
    assert result.exit_code == 2 and f"{merchant / message}; nothing was written" in result.output, result.output
    assert not (merchant / "books").exists() or snapshot(merchant / "books") == {}


RATES = "date,pair,rate\n2026-01-05,USD/CNY,7.1234\n2026-01-06,USD/CNY,7.1300\n"


@pytest.mark.parametrize("cut, message", [
    # blind13: a rates file cut inside its last rate was read, 7.12 for 7.1234
    ("2026-01-07,USD/CNY,7.12", "r.csv:4: the last line ends without a line end and its rate '7.12' has 2 decimal "
                                "places, the other rows' 4 ('7.1300'): is the file cut off?; nothing was written"),
    ("date,USD/CNY,EUR/CNY\n2026-01-05,7.1234,7.8012\n2026-01-06,7.1300,7.8100\n2026-01-07,7.1400,7.8",
     "r.csv:4: the last line ends without a line end and its EUR/CNY '7.8' has 1 decimal place, the other rows' 4"),
])
def test_a_rates_file_cut_inside_its_last_rate_is_refused(merchant, cut, message):
    path = write(merchant, "r.csv", cut if cut.startswith("date") else RATES + cut)
    result = prices(merchant, str(path))
    assert result.exit_code == 2, result.output
    assert f"{merchant / message.split(':', 1)[0]}:{message.split(':', 1)[1]}" in result.output
    assert not (merchant / "books").exists() or snapshot(merchant / "books") == {}


@pytest.mark.parametrize("last", ["2026-01-07,USD/CNY,7.1400", "2026-01-07,USD/CNY,7.12\n"])
def test_a_whole_last_rate_without_a_line_end_is_read(merchant, last):
    # must not fire: the last rate whole (no line end after it), or written with a line end
    path = write(merchant, "r.csv", RATES + last)
    result = prices(merchant, str(path))
    assert result.exit_code == 0 and "3 rates read, 3 prices written" in result.output, result.output


def test_a_rate_written_with_an_exponent_within_the_bound_is_read(merchant):
    path = write(merchant, "r.csv", "date,pair,rate\n2026-01-05,VND/USD,3.93e-05\n")
    assert prices(merchant, str(path)).exit_code == 0
    assert "2026-01-05 price VND 0.0000393 USD" in prices_text(merchant)


# -- rates among the statements of `beanclear import` --------------------------------

def cli(*args):
    from click.testing import CliRunner
    from beanclear import cli as cli_mod
    return CliRunner().invoke(cli_mod.main, [str(a) for a in args])


def test_import_of_the_demo_folder_reads_its_reference_rates(demo_copy):
    folder = demo_copy()   # what `beanclear demo FOLDER` writes (the session's build, copied)
    shutil.rmtree(folder / "books")  # imported afresh, rates and statements in one command
    first = cli("import", "-c", folder / "config.yaml", folder / "statements")
    assert first.exit_code == 0, first.output
    assert "usd-cny.csv: 65 rates read, 65 prices written, 0 already in the books" in first.output
    assert "price USD" in (folder / "books" / "prices.beancount").read_text(encoding="utf-8")
    before = snapshot(folder / "books")
    again = cli("import", "-c", folder / "config.yaml", folder / "statements")
    assert again.exit_code == 0, again.output
    assert " 0 prices written" in again.output and " 0 entries written" in again.output
    assert snapshot(folder / "books") == before


def test_import_dry_run_counts_rates_and_writes_nothing(merchant):
    rates = write(merchant, "rates.csv", "date,pair,rate\n2026-01-05,USD/CNY,7.1234\n")
    result = cli("import", "-c", merchant / "config.yaml", "--dry-run", rates)
    assert result.exit_code == 0, result.output
    assert "2026-01-05 price USD 7.1234 CNY" in result.output and "1 prices would be written" in result.output
    assert not (merchant / "books" / "prices.beancount").exists()


@pytest.mark.parametrize("header, rates", [
    ("date,pair,rate", True), ("Date;Currency pair;Close", True), ("TIME_PERIOD,base,quote,OBS_VALUE", True),
    ("日期,USD/CNY,EUR/CNY,100JPY/CNY", True),
    ("Date,USD,JPY", False),   # needs --base: `prices import` only
    ("交易日期,交易流水号,摘要,对方户名,交易金额,余额", False), ("date,amount,rate", False), ("date,amount", False),
    ("Date,Time,TimeZone,Name,Type,Status,Currency,Gross,Fee,Net,Transaction ID", False),
])
def test_which_files_are_reference_rates(tmp_path, header, rates):
    from beanclear.books import prices as prices_mod
    assert prices_mod.is_rates_file(write(tmp_path, "f.csv", header + "\n")) is rates


def test_a_series_of_bare_currencies_needs_a_base(merchant):
    path = write(merchant, "ecb.csv", "Date,USD\n2026-01-05,1.08\n")
    result = prices(merchant, str(path))
    assert result.exit_code == 2 and "needs --base, e.g. --base EUR" in result.output


def test_a_series_of_bare_currencies_in_a_statements_folder_says_what_it_needs(merchant):
    # A blind tester's ECB file under statements/prices/ got "no importer recognises this
    # file": an import cannot be told a base (--base is `prices import`'s), so it says how.
    (merchant / "config.yaml").write_text("books: books\ncurrency: EUR\n" + WECHAT_AND_BANK.split("\n", 2)[2],
                                          encoding="utf-8")
    folder = merchant / "statements"
    (folder / "prices").mkdir(parents=True)
    ecb = write(folder / "prices", "ecb-eurofxref.csv", "\nDate,USD,GBP\n2026-01-05,1.0852,0.8513\n")
    write(folder, "rates.csv", "date,pair,rate\n2026-01-05,USD/CNY,7.1234\n")   # read, not written
    for target in (folder, ecb):
        result = cli("import", "-c", merchant / "config.yaml", target)
        assert result.exit_code == 2, result.output
        assert (f"{ecb}:2: column 2: expected a currency pair like USD/CNY, got 'USD' (a header of currencies "
                "alone names no base, and an import is told none: move the file out of the statements and load "
                "it with `beanclear prices import FILE --base EUR` (the ECB's), or write its header as pairs: "
                "EUR/USD for how many USD one EUR buys); nothing was written") in result.output
        assert "no importer recognises" not in result.output
        assert not (merchant / "books").exists()


# -- the fx-gap check ------------------------------------------------------------------

CONFIG = """\
channels:
  paypal: {type: wechat, accounts: {clearing: "Assets:PayPal"}}
banks:
  usd: {type: camt053, account: Assets:Bank:USD}
checks:
  fx-gap: {severity: error, tolerance_bps: 50}
"""
HEAD = """\
plugin "beanclear.plugins.fx" "{config}"
2000-01-01 open Assets:PayPal
2000-01-01 open Assets:Bank:USD
2000-01-01 open Assets:Transit:Paypal
2000-01-01 open Income:Sales:Paypal
2026-01-02 price USD 7.1000 CNY
2026-01-05 price USD 7.1234 CNY
2026-01-05 price CNY 0.1250 USD
"""
CONVERSION = """
2026-01-{day} * "PayPal" "Currency conversion"
  id: "CONV-1"
  Assets:PayPal        -100.00 USD @ {rate} CNY
  Assets:PayPal         {cny} CNY
"""


@pytest.fixture
def ledger(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")

    def load(*parts: str, config_text: str | None = None):
        if config_text:
            config.write_text(config_text, encoding="utf-8")
        entries, errors, _ = loader.load_string(HEAD.format(config=config) + "".join(parts))
        assert not [e for e in errors if not isinstance(e, FindingError)], errors
        return [e.finding for e in errors], reconcile.find(entries, config_mod.load(config), ("fx",))
    return load


def test_fx_gap_reports_spread_and_money_lost(ledger):
    [finding], _ = ledger(CONVERSION.format(day="05", rate="7.0500", cny="705.00"))
    assert (finding.code, finding.source, finding.currency) == ("fx-gap", "paypal", "CNY")
    assert (finding.expected, finding.actual, finding.amount) == (Decimal("7.1234"), Decimal("7.0500"), Decimal("7.34"))
    assert finding.refs == ("CONV-1",) and finding.account == "Assets:PayPal"
    assert "-103.0 bps on 100.00 USD, 7.34 CNY lost" in finding.message


TOTAL_PRICE = """
2026-01-05 * "PayPal" "Currency conversion"
  id: "CONV-3"
  Assets:PayPal        -135.48 USD @@ 955.13 CNY
  Assets:PayPal         955.13 CNY
"""


def test_a_rate_is_shown_to_six_significant_digits_wherever_it_is_printed(ledger):
    # blind18 pluginonly: a total price (@@) is a per-unit rate of 28 digits to Beancount,
    # 955.13 / 135.48 = 7.049970475…; the message, the JSON and the export showed them all
    from beanclear.exports.tables import finding_row
    [finding], _ = ledger(TOTAL_PRICE)
    assert finding.actual == Decimal("955.13") / Decimal("135.48")   # judged on the rate itself
    assert "USD→CNY at 7.04997, reference 7.1234 of 2026-01-05: -103.1 bps on 135.48 USD" in finding.message
    assert (finding.to_json()["expected"], finding.to_json()["actual"]) == ("7.1234", "7.04997")
    row = finding_row(finding)
    assert (row["expected"], row["actual"]) == (Decimal("7.1234"), Decimal("7.04997"))


@pytest.mark.parametrize("rate, shown", [
    ("7.0500", "7.05"), ("7.1234", "7.1234"), ("1.013286093888396811337466785", "1.01329"),
    ("0.9174311927", "0.917431"), ("0.00661234567", "0.00661235"), ("151.23456", "151.235"),
    ("25431.5", "25431.5"), ("1234567.8", "1234570"), ("9.9999996", "10")])
def test_shown_rate_keeps_six_significant_digits_and_no_exponent(rate, shown):
    from beanclear.checks.findings import rate_text
    assert rate_text(Decimal(rate)) == shown


def test_a_rate_of_few_digits_and_money_figures_are_shown_as_they_are(ledger):
    # must not move: a stated rate of four places and the money of other codes
    from beanclear.checks.findings import Finding
    [finding], _ = ledger(CONVERSION.format(day="05", rate="7.0425", cny="704.25"))
    assert "USD→CNY at 7.0425, reference 7.1234 of 2026-01-05" in finding.message
    assert finding.to_json()["actual"] == "7.0425"
    fee = Finding("fee-gap", None, "paypal", "Expenses:Fees", Decimal("1234567.89"), "USD", "",
                  expected=Decimal("1234567.891"), actual=Decimal("0.1234567"))
    assert (fee.to_json()["expected"], fee.to_json()["actual"]) == ("1234567.89", "0.12")


def test_no_fx_gap_within_tolerance(ledger):
    errors, found = ledger(CONVERSION.format(day="05", rate="7.1000", cny="710.00"))   # -32.8 bps
    assert errors == [] and found == []


SMALL_CONVERSION = """
2026-01-05 * "PayPal" "Currency conversion"
  id: "CONV-2"
  Assets:PayPal        -{usd} USD @ {rate} CNY
  Assets:PayPal         {cny} CNY
"""


def test_a_rate_off_only_by_its_amounts_rounding_is_no_fx_gap(ledger):
    # seed 34506: 0.45 EUR credited as 0.48 USD is 84 bps off the reference, and not a
    # cent is lost (0.45 at the reference is 0.484): the rounding of the cents, no gap
    errors, found = ledger(SMALL_CONVERSION.format(usd="0.07", rate="7.0000", cny="0.49"))   # -173 bps, 0.0086 CNY
    assert errors == [] and found == []


def test_a_small_conversion_that_loses_a_cent_beyond_its_rounding_is_an_fx_gap(ledger):
    # must fire: 1.00 USD at 7.0800 where 7.1234 gives 7.12: 0.04 CNY lost, past the rounding
    [finding], _ = ledger(SMALL_CONVERSION.format(usd="1.00", rate="7.0800", cny="7.08"))
    assert (finding.code, finding.amount) == ("fx-gap", Decimal("0.04"))


KWD_CHARGE = """
2026-03-05 * "Sale"
  id: "txn_{n}"
  customer-amount: "{kwd} KWD"
  fx-rate: "{rate}"
  fx-pair: "KWD/USD"
  Assets:PayPal           {usd} USD
  Income:Sales:Paypal    -{usd} USD
"""
KWD_REFERENCE = "2026-03-04 price KWD 3.2520 USD\n"
WIDE = CONFIG.replace("tolerance_bps: 50", "tolerance_bps: 150")


def kwd_charge(n: str, kwd: str, usd: str) -> str:
    """A Stripe charge of `kwd` settled as `usd`, its rate as the importer states it."""
    return KWD_CHARGE.format(n=n, kwd=kwd, usd=usd, rate=Decimal(usd) / Decimal(kwd))


def test_a_tiny_conversion_is_judged_on_the_nearest_rate_its_cents_allow(ledger):
    # blind24 rounding: 0.150 KWD at a real 1% spread is 0.48292 USD, settled 0.48: 3.2,
    # -159.9 bps, where any rate from 3.1667 to 3.2333 settles 0.48 (the nearest, -57 bps,
    # is within 150); 12.345 KWD at the same spread was quiet
    errors, found = ledger(KWD_REFERENCE, kwd_charge("tiny", "0.150", "0.48"), kwd_charge("norm", "12.345", "39.74"),
                           config_text=WIDE)
    assert errors == [] and found == []


def test_a_real_spread_on_a_tiny_or_normal_conversion_is_still_an_fx_gap(ledger):
    # must fire: 3% below the reference, 0.150 KWD settled 0.47 (-229 bps at the nearest
    # rate 0.47 allows) and 61.725 KWD settled 194.71; each finding's amount and spread as
    # the rate applied gives them
    _, found = ledger(KWD_REFERENCE, kwd_charge("tiny", "0.150", "0.47"), kwd_charge("big", "61.725", "194.71"),
                      config_text=WIDE)
    assert [(f.code, f.refs, f.amount) for f in found] == [
        ("fx-gap", ("txn_big",), Decimal("6.02")), ("fx-gap", ("txn_tiny",), Decimal("0.02"))]
    assert "-299.9 bps on 61.725 KWD, 6.02 USD lost" in found[0].message
    assert "-364.9 bps on 0.150 KWD, 0.02 USD lost" in found[1].message


def test_a_paypal_conversion_into_forints_is_judged_and_said_in_whole_forints(ledger):
    # PayPal holds HUF whole: 12,345 JPY sold for 28,394 HUF (2.300041) where 2.40001
    # gives 29,628.12: 1,234.12 HUF lost is 1,234 forints, and no amount of the message has fillér
    paypal = CONFIG.replace("type: wechat", "type: paypal")
    sold = """
2026-01-05 price JPY 2.40001 HUF
2026-01-05 * "PayPal" "General Currency Conversion"
  id: "CONV-HUF"
  Assets:PayPal        -12345 JPY @@ 28394 HUF
  Assets:PayPal         28394 HUF
"""
    [finding], _ = ledger(sold, config_text=paypal)
    assert (finding.code, finding.amount, finding.currency) == ("fx-gap", Decimal("1234"), "HUF")
    assert "bps on 12,345 JPY, 1,234 HUF lost" in finding.message
    # another channel keeps the forint's two places
    [finding], _ = ledger(sold, config_text=CONFIG)
    assert "bps on 12,345 JPY, 1,234.12 HUF lost" in finding.message


def test_the_nearest_earlier_reference_is_used(ledger):
    # 2026-01-04 has no price of its own: 2026-01-02's 7.1000 is the reference.
    [finding], _ = ledger(CONVERSION.format(day="04", rate="7.0500", cny="705.00"))
    assert finding.expected == Decimal("7.1000") and "reference 7.1 of 2026-01-02" in finding.message


def test_no_reference_price_means_no_fx_gap_but_one_statement_gap_of_the_pair(ledger):
    # Before any price: the gap cannot be measured (no fx-gap), and that is said once per
    # pair, so that rates never imported do not pass for rates within tolerance.
    errors, found = ledger(CONVERSION.format(day="01", rate="6.5000", cny="650.00"))
    assert [(f.code, f.source, f.refs) for f in found] == [("statement-gap", "prices", ("CONV-1",))]
    assert found[0].message == ("no USD/CNY or CNY/USD reference rate in the books on or before 2026-01-01: the "
                                "rates of 1 conversion(s) (1 USD→CNY) from 2026-01-01 to 2026-01-01 are not judged "
                                "(import a series of either direction with `beanclear prices import`: it judges "
                                "conversions both ways)")
    errors, found = ledger(CONVERSION.format(day="01", rate="6.5000", cny="650.00"),
                           config_text=CONFIG.replace("severity: error, tolerance_bps: 50", "severity: off"))
    assert found == []


BOTH_WAYS = """
2026-01-03 * "PayPal" "General Currency Conversion"
  id: "SALE-1"
  Assets:PayPal        -96.12 EUR @ 1.0747 USD
  Assets:PayPal        103.30 USD
2026-01-04 * "PayPal" "General Currency Conversion"
  id: "REFUND-1"
  Assets:PayPal        -21.95 USD @ 0.9112 EUR
  Assets:PayPal         20.00 EUR
"""


def test_a_pair_and_its_inverse_without_reference_rates_are_one_statement_gap(ledger):
    # A blind tester's PayPal EUR sale converted to USD and its refund converted back:
    # "no EUR/USD reference rate" and "no USD/EUR reference rate", two statement-gaps
    # of one cause, which one series of either direction clears.
    _, found = ledger(BOTH_WAYS)
    assert [(f.code, f.source, f.date.isoformat(), f.refs) for f in found] == \
        [("statement-gap", "prices", "2026-01-03", ("SALE-1", "REFUND-1"))]
    assert found[0].message == (
        "no EUR/USD or USD/EUR reference rate in the books on or before 2026-01-03: the rates of 2 conversion(s) "
        "(1 EUR→USD, 1 USD→EUR) from 2026-01-03 to 2026-01-04 are not judged (import a series of either direction "
        "with `beanclear prices import`: it judges conversions both ways)")
    for rate in ("2026-01-02 price EUR 1.0800 USD\n", "2026-01-02 price USD 0.9259 EUR\n"):
        _, found = ledger(rate, BOTH_WAYS)
        assert [f.code for f in found] == ["fx-gap"], found   # the sale's rate, 49.1 bps: the refund's off
        assert found[0].refs == ("REFUND-1",)


def test_inverse_pair_and_fx_metadata_on_a_bank_line(ledger):
    # The bank booked 140.00 USD for 1000.00 CNY at 0.1400 USD per CNY; the books quote
    # CNY/USD directly on 01-05 (0.1250) — the same day's USD/CNY is inverted only when newer.
    bank_line = """
2026-01-05 * "Wire" "CNY converted on arrival"
  id: "NTRY-9"
  fx-pair: "CNY/USD"
  fx-rate: "0.1400"
  Assets:Bank:USD        140.00 USD
  Assets:Transit:Paypal  -140.00 USD
"""
    [finding], _ = ledger(bank_line)
    assert (finding.expected, finding.actual, finding.currency) == (Decimal("0.1250"), Decimal("0.1400"), "USD")
    assert finding.amount == Decimal("15.00") and "gained" in finding.message and finding.source == "usd"
    # On 01-03 only USD/CNY 7.1000 (of 01-02) is known: CNY/USD is its inverse, 0.1408450704.
    [finding], _ = ledger(bank_line.replace("2026-01-05", "2026-01-03").replace("0.1400", "0.1300"))
    assert finding.expected == Decimal("0.1408450704") and finding.amount == Decimal("11.68")  # 1076.92 CNY × 0.0108


def test_the_fx_gap_of_a_bank_line_is_on_the_amount_its_statement_states(ledger):
    # A blind tester's camt.053 credit of 4,058.36 GBP for the instructed 5,305.04 USD at
    # 0.7650: the fx-gap said "on 5,305.05 USD", worked back from the rate
    bank_line = """
2026-01-05 * "Wire" "CNY converted on arrival"
  id: "NTRY-9"
  fx-pair: "CNY/USD"
  fx-rate: "0.1400"
  original-amount: "1000.04 CNY"
  Assets:Bank:USD        140.01 USD
  Assets:Transit:Paypal  -140.01 USD
"""
    [finding], _ = ledger(bank_line)
    assert "on 1,000.04 CNY, 15.00 USD gained" in finding.message   # 140.01 / 0.1400 = 1,000.07
    # a stated amount of another currency than the rate's is no amount converted
    [finding], _ = ledger(bank_line.replace("1000.04 CNY", "140.01 USD"))
    assert "on 1,000.07 CNY" in finding.message


def test_the_fx_gap_of_a_sale_with_its_fee_posted_first_is_the_converted_money_s(ledger):
    # PayPal's sale converted on receipt (the demo's): its fee (here a transit posting,
    # the test's ledger opens no fee account) is the first posting, but
    # the converted money is the clearing account's; the finding named the fee account,
    # and a write-off took the spread out of the fees
    sale = """
2026-01-05 * "Chloe" "Website Payment"
  id: "SALE-1"
  fx-pair: "CNY/USD"
  fx-rate: "0.1300"
  Assets:Transit:Paypal     40.00 CNY
  Income:Sales:Paypal    -1000.00 CNY
  Assets:PayPal            960.00 CNY
  Assets:PayPal           -960.00 CNY @ 0.1300 USD
  Assets:PayPal            124.80 USD
"""
    [finding], _ = ledger(sale)
    assert finding.account == "Assets:PayPal" and finding.currency == "USD"


def test_the_fx_gap_of_a_charge_is_on_what_the_customer_paid_not_the_net(ledger):
    # a blind helper's Stripe charge of 100.00 EUR settled as 105.00 USD less a 3.35 fee:
    # the spread was measured on the net, 96.81 EUR, 3.39 USD lost instead of 3.50
    charge = """
2026-01-05 * "Order 1034"
  id: "txn_c1"
  customer-amount: "100.00 EUR"
  fx-rate: "1.05"
  fx-pair: "EUR/USD"
  Assets:PayPal           101.65 USD
  Assets:Transit:Paypal     3.35 USD
  Income:Sales:Paypal    -105.00 USD
2026-01-05 price EUR 1.085 USD
"""
    [finding], _ = ledger(charge)
    assert (finding.amount, finding.currency) == (Decimal("3.50"), "USD")
    assert "on 100.00 EUR, 3.50 USD lost" in finding.message


def test_tolerance_and_severity_come_from_the_config(ledger):
    wide = CONFIG.replace("severity: error, tolerance_bps: 50", "severity: warning, tolerance_bps: 150")
    errors, found = ledger(CONVERSION.format(day="05", rate="7.0500", cny="705.00"), config_text=wide)
    assert errors == [] and found == []
    warn = CONFIG.replace("severity: error", "severity: warning")
    errors, [finding] = ledger(CONVERSION.format(day="05", rate="7.0500", cny="705.00"), config_text=warn)
    assert errors == [] and finding.severity == "warning"   # a warning does not fail bean-check


def test_the_fx_gap_of_a_refund_is_lost_where_the_rate_is_above_the_reference(ledger):
    # a blind tester's refund of 50.00 GBP cost 59.38 EUR at Stripe's 1.1876, 58.50 at the
    # reference 1.17: the money went back to the customer, so a rate above the reference is
    # the merchant's loss; it said "0.88 EUR gained", as if the charge were converted again
    refund = """
2026-01-05 * "REFUND FOR CHARGE (Order #3002)"
  id: "txn_r1"
  customer-amount: "-50.00 GBP"
  fx-rate: "1.1876"
  fx-pair: "GBP/EUR"
  Assets:PayPal            -59.38 EUR
  Income:Sales:Paypal       59.38 EUR
2026-01-05 price GBP 1.17 EUR
"""
    [finding], _ = ledger(refund)
    assert (finding.amount, finding.currency) == (Decimal("0.88"), "EUR")
    assert "+150.4 bps on 50.00 GBP, 0.88 EUR lost" in finding.message
    # the charge it refunds, at the same rate, gained what the refund lost
    charge = refund.replace('"-50.00 GBP"', '"50.00 GBP"').replace("-59.38 EUR", "+59.38 EUR") \
        .replace(" 59.38 EUR", "-59.38 EUR").replace("+59.38 EUR", " 59.38 EUR")
    [finding], _ = ledger(charge)
    assert "+150.4 bps on 50.00 GBP, 0.88 EUR gained" in finding.message


# -- a bank line the bank converted that is no payout ----------------------------------

def converted_camt(direction: str, unit: str = "EUR", rate: str = "1.0750") -> str:
    """A blind tester's camt.053 line of 3,000.00 EUR paid (DBIT) or received (CRDT) as
    3,225.00 USD, the rate quoted per `unit`."""
    party = "Cdtr" if direction == "DBIT" else "Dbtr"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-02-01T06:00:00+01:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><ElctrncSeqNb>1</ElctrncSeqNb><FrToDt><FrDtTm>2026-01-01T00:00:00+01:00</FrDtTm><ToDtTm>2026-01-31T23:59:59+01:00</ToDtTm></FrToDt>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">5000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-01</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">3000.00</Amt><CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-01-20</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef>
<NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy="USD">3225.00</Amt><CcyXchg><SrcCcy>EUR</SrcCcy><TrgtCcy>USD</TrgtCcy><UnitCcy>{unit}</UnitCcy><XchgRate>{rate}</XchgRate></CcyXchg></InstdAmt><TxAmt><Amt Ccy="EUR">3000.00</Amt></TxAmt></AmtDtls>
<RltdPties><{party}><Nm>ACME DESIGN LLC</Nm></{party}></RltdPties><RmtInf><Ustrd>INVOICE 2026-17</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"""


def converted_line_findings(tmp_path, direction: str, rates: str | None, unit: str = "EUR", rate: str = "1.0750"):
    from conftest import beanclear
    tmp_path = tmp_path / "m"
    tmp_path.mkdir()
    (tmp_path / "config.yaml").write_text(
        "books: books\ncurrency: EUR\nbanks:\n  main: {type: camt053, account: Assets:Bank:Main, currency: EUR}\n"
        "rules:\n  - {match: ACME, account: Expenses:Contractors}\n", encoding="utf-8")
    (tmp_path / "camt.xml").write_text(converted_camt(direction, unit, rate), encoding="utf-8")
    if rates:
        (tmp_path / "rates.csv").write_text("date,pair,rate\n" + rates, encoding="utf-8")
        assert prices(tmp_path, str(tmp_path / "rates.csv")).exit_code == 0
    result = beanclear(tmp_path, "import", str(tmp_path / "camt.xml"))
    assert result.exit_code == 0, result.output
    from beanclear.checks import checking
    return [f for f in checking.check(config_mod.load(tmp_path / "config.yaml")).findings if f.code != "beancount"]


@pytest.mark.parametrize("direction, rates, said", [
    # 3,000.00 EUR sold for 3,225.00 USD at 1.0750, 3,255.00 at the reference: 30.00 USD lost
    ("DBIT", "2026-01-20,EUR/USD,1.0850\n", "EUR→USD at 1.075, reference 1.085 of 2026-01-20: -92.2 bps on "
                                            "3,000.00 EUR, 30.00 USD lost"),
    # the reference the other way round (USD/EUR): the same spread
    ("DBIT", "2026-01-20,USD/EUR,0.92165899\n", "-92.2 bps on 3,000.00 EUR, 30.00 USD lost"),
    # 3,000.00 EUR bought for 3,225.00 USD, 3,255.00 at the reference: 30.00 USD gained
    ("CRDT", "2026-01-20,EUR/USD,1.0850\n", "-92.2 bps on 3,000.00 EUR, 30.00 USD gained"),
    ("CRDT", "2026-01-20,USD/EUR,0.92165899\n", "-92.2 bps on 3,000.00 EUR, 30.00 USD gained"),
])
def test_a_converted_bank_line_that_is_no_payout_is_judged_by_fx_gap(tmp_path, direction, rates, said):
    # A blind tester's camt.053 DBIT of 3,000.00 EUR, InstdAmt 3,225.00 USD at EUR/USD
    # 1.0750, booked to a rule's expense: its postings are all in EUR, the rate's base, and
    # none in USD, so no amount converted was found and the rate was never judged (an OFX
    # credit of the same rate was)
    [finding] = converted_line_findings(tmp_path, direction, rates)
    assert (finding.code, finding.source, finding.account, finding.currency) == \
        ("fx-gap", "main", "Assets:Bank:Main", "USD")
    assert (finding.actual, finding.amount, finding.refs) == (Decimal("1.0750"), Decimal("30.00"), ("R1",))
    assert said in finding.message


@pytest.mark.parametrize("direction", ["DBIT", "CRDT"])
def test_a_converted_bank_line_without_reference_rates_is_a_prices_statement_gap(tmp_path, direction):
    [finding] = converted_line_findings(tmp_path, direction, None)
    assert (finding.code, finding.source, finding.refs) == ("statement-gap", "prices", ("R1",))
    assert finding.message.startswith("no EUR/USD or USD/EUR reference rate in the books on or before 2026-01-20")


def test_a_converted_bank_line_quoted_per_the_foreign_currency_is_judged_too(tmp_path):
    # UnitCcy USD: the rate is EUR per USD (0.9302), the line's own EUR the quoted side
    [finding] = converted_line_findings(tmp_path, "DBIT", "2026-01-20,EUR/USD,1.0850\n", unit="USD", rate="0.9302")
    assert finding.code == "fx-gap" and "on 3,225.00 USD" in finding.message and "EUR lost" in finding.message


TWICE = """
2000-01-01 open Assets:Bank:Main
2000-01-01 open Assets:Transfers:Internal
2026-01-20 price EUR 1.0850 USD
2026-01-20 * "Kaffeerad Inc" "AUSLANDSUEBERWEISUNG EIGENES KONTO USD"
  id: "R1"
  fx-pair: "EUR/USD"
  fx-rate: "1.0750"
  original-amount: "3225.00 USD"
  Assets:Bank:Main            -3000.00 EUR
  Assets:Transfers:Internal    3000.00 EUR
2026-01-{day} * "WIRE FROM KAFFEERAD GMBH" "INCOMING WIRE OWN ACCOUNT"
  id: "W1"
  fx-pair: "EUR/USD"
  fx-rate: "1.0750"
  {bank}             3225.00 USD
  Assets:Transfers:Internal   -3225.00 USD
"""


def test_one_conversion_both_banks_state_is_judged_once_where_the_money_left(ledger):
    # A blind tester's EUR account's camt.053 debit of 3,000.00 EUR stating the 3,225.00 USD
    # instructed, and the USD account's OFX credit of 3,225.00 USD at the same rate
    # (ORIGCURRENCY): one conversion, two fx-gaps once debits were judged too
    two_banks = CONFIG.replace("banks:\n", "banks:\n  main: {type: camt053, account: Assets:Bank:Main, currency: EUR}\n")
    _, found = ledger(TWICE.format(day="21", bank="Assets:Bank:USD "), config_text=two_banks)
    assert [(f.code, f.source, f.refs) for f in found] == [("fx-gap", "main", ("R1",))]
    # a credit of that amount 10 days later, or at the same bank, is another conversion
    _, found = ledger(TWICE.format(day="30", bank="Assets:Bank:USD "), config_text=two_banks)
    assert [f.refs for f in found] == [("R1",), ("W1",)]
    _, found = ledger(TWICE.format(day="21", bank="Assets:Bank:Main"), config_text=two_banks)
    assert [f.refs for f in found] == [("R1",), ("W1",)]
