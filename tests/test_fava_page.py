"""The reconciliation page in Fava, through Fava's own application and test client,
on the demo's books: what it shows is what the library says, the filters, the links,
escaping, and each write (made by the library's writers, refused unless same-origin JSON).
The same page in a real browser: test_fava_browser.py."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from beancount import loader
from beancount.core import data

from beanclear.checks import acks, checking, reconcile

from beanclear import config as config_mod, matching
from beanclear.fava_page import review
from beanclear.resolve import on_the_page
from conftest import beanclear
from fava_util import PAGE, books_snapshot, changes, copy_of
from test_shop_journey import PLANTED_ORDERS, PLANTED_PAYMENTS, shop_merchant  # noqa: F401 (the fixture)

fava_application = pytest.importorskip("fava.application")


@pytest.fixture(scope="module")
def demo(demo_copy):
    return demo_copy()


@pytest.fixture
def merchant(demo, tmp_path):
    return copy_of(demo, tmp_path / "merchant")


class Fava:
    """Fava over a merchant's books, as `fava books/main.beancount` serves them."""

    def __init__(self, merchant: Path):
        self.merchant = merchant
        app = fava_application.create_app([merchant / "books" / "main.beancount"], load=True)
        app.testing = True
        self.client = app.test_client()
        self.slug = self.client.get("/").headers["Location"].split("/")[1]

    def page(self, query: str = "") -> str:
        response = self.client.get(f"/{self.slug}/{PAGE}{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def post(self, endpoint: str, body, **headers):
        """A write as the page's script sends it: the browser adds the page's Origin."""
        headers = {"Origin": "http://localhost", **headers}
        return self.client.post(f"/{self.slug}/{PAGE}{endpoint}", json=body,
                                headers={k: v for k, v in headers.items() if v is not None})

    def config(self):
        return config_mod.load(self.merchant / "config.yaml")

    def entries(self):
        return loader.load_file(str(self.merchant / "books" / "main.beancount"))[0]


@pytest.fixture
def fava(merchant):
    return Fava(merchant)


class Viewer(Fava):
    """A Fava that tests only read from: the books loaded and checked once for all of them."""

    def entries(self):
        if not hasattr(self, "_entries"):
            self._entries = super().entries()
        return self._entries

    def report(self):
        if not hasattr(self, "_report"):
            self._report = checking.check(self.config())
        return self._report


@pytest.fixture(scope="module")
def viewer(demo, tmp_path_factory):
    """One Fava over one copy of the demo for the tests that only read; that they did
    not write is checked after the last of them."""
    merchant = copy_of(demo, tmp_path_factory.mktemp("viewer") / "merchant")
    before = books_snapshot(merchant)
    yield Viewer(merchant)
    assert books_snapshot(merchant) == before


def rows(page: str, kind: str) -> list[dict]:
    """The data attributes of a table's rows."""
    out = []
    for attributes in re.findall(rf'<tr class="{kind}[^"]*"((?: data-[a-z]+=(?:"[^"]*"|\'[^\']*\'))+)>', page):
        out.append({k: html.unescape(v or w) for k, v, w in re.findall(r'data-([a-z]+)=(?:"([^"]*)"|\'([^\']*)\')',
                                                                        attributes)})
    return out


def charts(page: str, channel: str) -> list[dict]:
    found = re.search(rf'data-channel="{channel}">.*?<script type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


# -- what it shows ------------------------------------------------------------------------------

def test_the_books_beanclear_writes_declare_the_page_and_fava_lists_it(viewer):
    main = (viewer.merchant / "books" / "main.beancount").read_text(encoding="utf-8")
    assert '2000-01-01 custom "fava-extension" "beanclear.fava_page" "../config.yaml"' in main
    ledger = viewer.client.get(f"/{viewer.slug}/income_statement/").get_data(as_text=True)
    assert '"report_title":"Reconciliation"' in ledger and '"name":"Reconciliation"' in ledger
    js = viewer.client.get(f"/{viewer.slug}/extension_js_module/Reconciliation.js")
    assert js.status_code == 200 and b"onExtensionPageLoad" in js.data


def test_a_row_per_channel_and_bank_with_the_library_figures(viewer):
    page = viewer.page()
    config, entries = viewer.config(), viewer.entries()
    assert [r["source"] for r in rows(page, "bc-source")] == [*config.channels, *config.banks, *config.shops]
    as_of = reconcile.as_of(entries)
    held = {a: sum(p.units.number for e in entries if isinstance(e, data.Transaction) and e.date <= as_of
                   for p in e.postings if p.account == a)
            for a in ("Assets:Clearing:WeChat", "Assets:Transit:WeChat", "Assets:Bank:ICBC")}
    for account, amount in held.items():
        assert f"{account}</a> <span class=\"bc-money\">{amount:.2f} CNY</span>" in page   # as Fava formats
    report = viewer.report()
    first = {code: min(f.date for f in report.findings if f.code == code)
             for code in ("unsettled", "payout-missing", "bank-unmatched")}
    # the demo pays nothing out in its last 5 days: 2 of them late (T+2), as `unsettled` says
    assert (f"money of 5 days in clearing, oldest <b>{first['unsettled']}</b>: 4 d "
            f"<span class=\"bc-muted\">(limit 2 d)") in page
    age = {code: (as_of - day).days for code, day in first.items()}
    assert f"2 payouts in transit, oldest <b>{first['payout-missing']}</b>: {age['payout-missing']} d" in page
    assert f"2 lines unexplained, oldest <b>{first['bank-unmatched']}</b>: {age['bank-unmatched']} d" in page
    wechat = page[page.index('data-source="wechat"'):page.index('data-source="icbc"')]
    errors = sum(f.source == "wechat" and f.severity == "error" for f in report.findings)
    assert f'<td class="num">{errors}</td>' in wechat and "<td class=\"nowrap\">2026-03-31</td>" in wechat


def test_ages_count_to_the_end_of_the_statements_that_judge_them_as_check_counts(merchant):
    # a newcomer's page said "Books as of 2026-04-25, the last statement date" and counted
    # every age to it, while `check` counted a payout to its bank statement's end and an
    # order to its channel's, and the page's own Last statement column said 04-30. Here
    # ICBC's April statement runs to 04-10 with one line on 04-05; the channels' end 03-30
    # (the demo's PayPal quarter, in Pacific time, stops at 15:00 on 03-31 in Shanghai:
    # coverage's `ends:`, the rest of that day is in the statement after it).
    april = ("中国工商银行账户明细\r\n账号：6222021001123456789\r\n户名：清风茶舍\r\n"
             "起止日期：2026-04-01 至 2026-04-10\r\n\r\n交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,余额\r\n"
             "2026-04-05,20260405000999,转账,某某科技有限公司,100.00,,511475.46\r\n")
    statement = merchant / "statements" / "icbc" / "icbc-2026-04.csv"
    statement.write_bytes(april.encode("gb18030"))
    assert beanclear(merchant, "import", str(statement)).exit_code == 0
    fava = Fava(merchant)
    page = fava.page()
    assert "Statements to <b>2026-04-10</b>" in page and "Balance on 2026-04-10" in page
    assert "deadlines count from it" not in page
    findings = sorted(checking.check(fava.config()).findings, key=lambda f: f.date)
    said = {}   # what `check` says of each code's oldest late item: (its date, days later)
    for f in findings:
        later = re.search(r"(\d+) days later", f.message)
        if later and f.code not in said:
            said[f.code] = (f.date, int(later.group(1)))
    payout, order = said["payout-missing"], said["order-unpaid"]
    assert payout[1] == (dt.date(2026, 4, 10) - payout[0]).days        # to ICBC's end
    assert order[1] == (dt.date(2026, 3, 30) - order[0]).days          # to the channels' end
    for text, (day, days) in (("payouts in transit", payout), ("order unpaid", order)):
        assert re.search(rf"{text}, oldest <b>{day}</b>: {days} d ", page), text
    line = next(f.date for f in findings if f.code == "bank-unmatched")   # no deadline: aged to ICBC's end too
    assert f"lines unexplained, oldest <b>{line}</b>: {(dt.date(2026, 4, 10) - line).days} d " in page


def test_a_shop_has_its_row_with_the_receivable_and_its_oldest_unpaid_order(shop_merchant):
    merchant = shop_merchant(PLANTED_ORDERS, PLANTED_PAYMENTS)
    assert beanclear(merchant, "import", str(merchant / "statements")).exit_code == 0
    fava = Fava(merchant)
    page = fava.page()
    assert [r["source"] for r in rows(page, "bc-source")] == ["wechat", "teashop"]
    receivable = sum(p.units.number for e in fava.entries() if isinstance(e, data.Transaction)
                     for p in e.postings if p.account == "Assets:Receivable:Teashop")
    assert f'Assets:Receivable:Teashop</a> <span class="bc-money">{receivable:.2f} CNY</span>' in page
    # order 1002 of 2026-03-01 was never paid; the last statement is of 2026-03-10
    assert "1 order unpaid, oldest <b>2026-03-01</b>: 9 d <span class=\"bc-muted\">(limit 3 d)" in page
    teashop = page[page.index('data-source="teashop"'):page.index("</tbody>", page.index('data-source="teashop"'))]
    errors = sum(f.source == "teashop" and f.severity == "error" and not f.acknowledged
                 for f in checking.check(fava.config()).findings)
    assert errors == 4 and f'<td class="num">{errors}</td>' in teashop


def test_charts_are_fava_chart_data_whose_totals_are_the_books(viewer):
    wechat = charts(viewer.page(), "wechat")
    assert [c["type"] for c in wechat] == ["bar", "balances"]
    entries = viewer.entries()
    # WeChat's payments clear the shop's orders: a sale is a WeChat entry crediting
    # income or the receivable
    sales = -sum(p.units.number for e in entries if isinstance(e, data.Transaction)
                 and any(q.account == "Assets:Clearing:WeChat" for q in e.postings) for p in e.postings
                 if p.account in ("Income:Sales:WeChat", "Assets:Receivable:Shopify") and p.units.number < 0)
    settled = sum(p.units.number for e in entries if isinstance(e, data.Transaction)
                  and any(q.account == "Assets:Transit:WeChat" for q in e.postings)
                  for p in e.postings if p.account == "Assets:Bank:ICBC")
    # but a duplicate charge, which is no sale (the month report's duplicates): the demo's
    # order paid twice by WeChat
    sales -= sum(f.amount for f in viewer.report().findings if f.code == "duplicate-charge")
    bars = wechat[0]["data"]
    assert [b["date"] for b in bars] == ["2026-01-01", "2026-02-01", "2026-03-01"]   # Fava's default: monthly
    assert abs(sum(Decimal(str(b["balance"]["Sales"])) for b in bars) - sales) < Decimal("0.03")
    assert abs(sum(Decimal(str(b["balance"]["Settled at the bank"])) for b in bars) - settled) < Decimal("0.03")
    rates = wechat[1]["data"]
    # the contract's 0.6%, less fees returned with refunds, more where the demo charges 1% (fee-gap)
    assert all(5.5 < r["balance"]["Fees ‰"] < 6.5 and 0 <= r["balance"]["Refunds ‰"] < 1000 for r in rates)
    daily = charts(viewer.page("?interval=day"), "wechat")[0]["data"]
    assert len(daily) == 90 and daily[0]["date"] == "2026-01-01"
    q1_feb = charts(viewer.page("?interval=day&time=2026-02"), "wechat")[0]["data"]
    assert [d["date"][:7] for d in q1_feb] == ["2026-02"] * 28


DOUBLE_CHARGED = {
    "config.yaml": "books: books\ncurrency: USD\ntimezone: America/New_York\nchannels:\n  stripe:\n"
                   "    type: stripe\n    currency: USD\n    settlement_days: 7\n    fees: [{rate: 0.029, fixed: 0.30}]\n"
                   "shops:\n  shopify: {type: shopify, order_days: 3}\n",
    "statements/shopify.csv": (
        "Name,Email,Created at,Total,Refunded Amount,Currency,Financial Status,Lineitem name,Lineitem quantity\n"
        "#1002,b@x.test,2026-03-05 11:00:00 -0500,50.00,0.00,USD,paid,Candle,1\n"
        "#1001,a@x.test,2026-03-03 10:00:00 -0500,100.00,0.00,USD,paid,Gift Set,1\n"),
    "statements/stripe.csv": (
        '"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
        '"reporting_category","source_id","description","automatic_payout_id"\n'
        '"txn_A1","2026-03-03 15:01:00","2026-03-05 00:00:00","usd","100.00","3.20","96.80","charge","ch_A1","Order #1001 by Ann",""\n'
        '"txn_A2","2026-03-03 15:08:00","2026-03-05 00:00:00","usd","100.00","3.20","96.80","charge","ch_A2","Order #1001 by Ann",""\n'
        '"txn_B1","2026-03-05 16:01:00","2026-03-07 00:00:00","usd","50.00","1.75","48.25","charge","ch_B1","Order #1002 by Bob",""\n'),
}


def test_the_charts_count_sales_and_fees_as_the_month_report_a_duplicate_charge_no_sale(tmp_path):
    # A blind tester: order #1001 of 100.00 charged twice. The chart read Sales 250.00 and
    # fees 32.6 per mille where `beanclear report 2026-03` said sales 150.00, duplicates
    # 100.00, fee rate 0.0330: the chart counted the duplicate as a sale and its fee as
    # one on a sale. A month of the chart is the report's month.
    for name, text in DOUBLE_CHARGED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert beanclear(tmp_path, "import", str(tmp_path / "statements")).exit_code == 0
    [row] = json.loads(beanclear(tmp_path, "report", "2026-03", "--format", "json").output)["channels"]
    assert (row["sales"], row["duplicates"], row["fee_rate"]) == ("150.00", "100.00", "0.0330")
    bars, rates = charts(Fava(tmp_path).page(), "stripe")
    [march], [march_rates] = bars["data"], rates["data"]
    assert march["balance"]["Sales"] == float(row["sales"])
    assert march_rates["balance"]["Fees ‰"] == round(1000 * (Decimal("4.95") / Decimal("150.00")), 2) == 33.0
    assert round(Decimal(str(march_rates["balance"]["Fees ‰"])) / 1000, 4) == Decimal(row["fee_rate"])


def month_charts(page: str, channels) -> dict[tuple[str, str, str], dict]:
    """Per (channel, currency, month), what the charts show of it: the bar's and the rates' figures."""
    out: dict[tuple[str, str, str], dict] = {}
    for name in channels:
        for chart in charts(page, name):
            currency = re.match(rf"{name} \((\w+)\)", chart["label"]).group(1)
            for point in chart["data"]:
                out.setdefault((name, currency, point["date"][:7]), {}).update(point["balance"])
    return out


def test_each_month_of_the_charts_is_the_reports_month_per_channel_and_currency(tmp_path):
    # blind33 disputes: November's Stripe settled was -3.20 in `beanclear report` and the
    # export (a payout of 96.80, then one of 100.00 the bank debited), 96.80 in the chart,
    # which counted only the bank's credits: its own copy of the report's rule. The charts
    # read each figure from the report's rules: a negative payout counts against settled,
    # a converted payout is settled in the currency the channel paid out (485.20 EUR, not
    # 530.00 USD), a chargeback is no refund, a duplicate returned no refund.
    from messy_money import MONTHS, messy_merchant
    folder = messy_merchant(tmp_path)
    shown = month_charts(Fava(folder).page(), ("stripe", "stripe_eu"))
    reported = {}
    for month in MONTHS:
        result = beanclear(folder, "report", month, "--format", "json")
        assert result.exit_code in (0, 1), result.output
        for row in json.loads(result.output)["channels"]:
            reported[(row["name"], row["currency"], month)] = row
    assert (reported[("stripe", "USD", "2026-11")]["settled"], reported[("stripe_eu", "EUR", "2026-11")]["settled"],
            reported[("stripe", "USD", "2026-11")]["chargebacks"],
            reported[("stripe", "USD", "2026-11")]["duplicates_returned"]) == ("-316.75", "485.20", "65.00", "100.00")
    assert set(shown) == {key for key, row in reported.items() if Decimal(row["sales"]) or Decimal(row["settled"])}
    for key, figures in shown.items():
        row = reported[key]
        sales = Decimal(row["sales"])
        assert (figures["Sales"], figures["Settled at the bank"]) == (float(sales), float(row["settled"])), key
        if sales:
            assert figures["Refunds ‰"] == float(round(1000 * Decimal(row["refunds"]) / sales, 2)), key
            assert round(Decimal(str(figures["Fees ‰"])) / 1000, 4) == Decimal(row["fee_rate"]), key


def test_what_is_no_money_settled_stays_out_of_the_charts_as_out_of_the_report(tmp_path):
    # must not: the bank credited po_1 386.00 for 387.50 and the 1.50 was written off to
    # Expenses:Fees:Bank. Settled is the bank's credit, as before: neither the payout
    # leaving clearing nor the write-off out of transit reached a bank. Books carried
    # forward (`beanclear carry`) chart the same months: balances carried are no day's money.
    from messy_money import messy_merchant, short_paid
    folder = messy_merchant(tmp_path, short_paid())
    assert beanclear(folder, "write-off", "payout-mismatch", "po_1").exit_code == 0
    assert beanclear(folder, "carry", "2026-11").exit_code == 0
    [october] = json.loads(beanclear(folder, "report", "2026-10", "--format", "json").output)["channels"]
    assert (october["settled"], october["written_off"]) == ("386.00", "1.50")
    whole = month_charts(Fava(folder).page(), ("stripe", "stripe_eu"))
    assert whole[("stripe", "USD", "2026-10")]["Settled at the bank"] == 386.00
    app = fava_application.create_app([folder / "books" / "since-2026-11.beancount"], load=True)
    app.testing = True
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    carried = client.get(f"/{slug}/{PAGE}").get_data(as_text=True)
    assert month_charts(carried, ("stripe", "stripe_eu")) == whole


def close_section(page: str) -> str:
    found = re.search(r'<h3 id="close">.*?</div>', page, re.S).group(0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found)).split())


def test_the_close_section_says_why_no_month_closes_and_never_calls_an_open_month_closed(tmp_path):
    # blind33 disputes: "no month to close: every month listed is closed" beside a month
    # selector listing 2026-09, the month of the openings only, never closed: October was
    # closed first, and months close in order (`close 2026-09` is refused so)
    from messy_money import messy_merchant
    folder = messy_merchant(tmp_path)
    assert beanclear(folder, "close", "2026-10").exit_code == 0
    with (folder / "books" / "periods.beancount").open("a", encoding="utf-8") as periods:
        # (November's statements end before it does: closed as a person may write it)
        periods.write('2026-11-30 custom "beanclear-close" "2026-11"\n')
    said = close_section(Fava(folder).page())
    assert "every month listed is closed" not in said
    assert "<option>2026-09</option>" in re.search(r'name="report-month".*?</select>', Fava(folder).page(), re.S).group(0)
    assert "no month to close: 2026-10 and 2026-11 are closed; 2026-09 is not, but a later month is " \
           "(months close in order)" in said


def test_with_every_month_listed_closed_the_close_section_says_so_as_before(tmp_path):
    # must not: with September closed too (in order, before October), nothing is left open
    from messy_money import messy_merchant
    folder = messy_merchant(tmp_path)
    for month in ("2026-09", "2026-10"):
        assert beanclear(folder, "close", month).exit_code == 0
    with (folder / "books" / "periods.beancount").open("a", encoding="utf-8") as periods:
        periods.write('2026-11-30 custom "beanclear-close" "2026-11"\n')
    said = close_section(Fava(folder).page())
    assert "no month to close: every month listed is closed 2026-11 2026-10 2026-09" in said


def test_the_findings_table_is_beanclear_check(viewer):
    report = json.loads(beanclear(viewer.merchant, "check", "--format", "json").output)["findings"]
    shown = rows(viewer.page(), "bc-finding")
    assert [(r["code"], r["severity"], r["source"]) for r in shown] == [
        (f["code"], f["severity"], f["source"]) for f in report]
    page = viewer.page()
    for f in report:
        assert html.escape(f["message"], quote=False) in page
        for ref in f["refs"][:4]:   # linked to the journal; the others listed as text
            assert f'title="entries with this statement id">{ref}</a>' in page
        assert " ".join(f["refs"][4:]) in page


@pytest.mark.parametrize("query", ["?source=icbc", "?code=unsettled", "?severity=warning",
                                   "?from=2026-03-10&to=2026-03-27", "?source=wechat&code=payout-missing&from=2026-03-01",
                                   "?code=fee-gap", "?code=no-such-code"])
def test_findings_filter_by_source_code_severity_and_date(viewer, query):
    wanted = {k: v[0] for k, v in parse_qs(query[1:]).items()}
    report = [f for f in viewer.report().findings if not f.acknowledged
              and all(str(getattr(f, k)) == v for k, v in wanted.items() if k in ("source", "code", "severity"))
              and str(f.date) >= wanted.get("from", "") and str(f.date) <= wanted.get("to", "9999")]
    shown = [(r["code"], r["severity"]) for r in rows(viewer.page(query), "bc-finding")]
    assert shown == [(f.code, f.severity) for f in report]
    assert shown or query in ("?code=no-such-code",)   # the demo has every code: a filter finds something


def test_each_finding_links_to_its_entry_in_favas_editor_and_its_ids_to_the_journal(viewer):
    page = viewer.page("?code=payout-missing")
    links = re.findall(r'href="([^"]*/editor/[^"]*)"', page)
    finding = [f for f in viewer.report().findings if f.code == "payout-missing"][0]
    query = parse_qs(urlsplit(html.unescape(links[0])).query)
    assert Path(query["file_path"][0]) == viewer.merchant / finding.file and query["line"] == [str(finding.line)]
    lines = Path(query["file_path"][0]).read_text(encoding="utf-8").splitlines()
    assert "^payout-" in lines[finding.line - 1]
    journal = re.findall(r'href="([^"]*/journal/\?filter=[^"]*)"', page)[0]
    expression = parse_qs(urlsplit(html.unescape(journal)).query)["filter"][0]
    from fava.core.filters import AdvancedFilter
    found = AdvancedFilter(expression).apply(viewer.entries())
    assert [e.meta["filename"] for e in found] == [str(viewer.merchant / finding.file)]
    assert finding.refs[0] in {str(v) for e in found for v in e.meta.values()}
    assert review.ref_filter('a"b') == ", ".join(f'{k}:"^a\\x22b$"' for k in
                                                ("id", "trade-id", "order-id", "payout-id", "refund-of", "refund-id", "bank-ref",
                                                 "conversion-id", "source-id"))


def test_amounts_are_shown_in_their_currencys_places_not_favas_display_precision(tmp_path):
    """GBP whose prices carry four places (`price USD 0.7890 GBP`, `@ 0.7887 GBP`) is
    shown by Fava to four places; the page shows every amount as check does, rounded to
    the currency (DESIGN §5; blind7 fava: the Gap column read 1450.0000 GBP)."""
    from test_converted_payouts import merchant as converted
    folder = converted(tmp_path, payee="HSBC INTL RECEIPTS", text="FX CREDIT REF 88412",
                       rates="".join(f"2026-02-{day:02d},USD/GBP,0.78{day:02d}\n" for day in range(1, 15)))
    fava = Fava(folder)
    page = fava.page()
    shown = re.findall(r'<span class="bc-money">([^<]*)</span>', page)
    assert "788.70 GBP" in shown and "888.70 GBP" in shown and "1000.00 USD" in shown
    assert [m for m in shown if not re.fullmatch(r"-?\d+\.\d\d [A-Z]{3}", m)] == []


def test_text_from_statements_is_shown_as_text(merchant):
    bank = merchant / "books" / "icbc" / "2026" / "2026-03.beancount"
    text = bank.read_text(encoding="utf-8")
    assert '"某某科技有限公司" "转账"' in text
    text = text.replace('"某某科技有限公司" "转账"', '"<b>某某科技</b>" "<script>alert(1)</script>转账"')
    bank.write_text(text, encoding="utf-8")
    entries = loader.load_file(str(merchant / "books" / "main.beancount"))[0]
    line = matching.match(entries, config_mod.load(merchant / "config.yaml"))[0].lines[0]
    source = Path(line.entry.meta["filename"])
    narration = line.entry.narration
    source.write_text(source.read_text(encoding="utf-8").replace(
        f'"{narration}"', f'"{narration} <img src=x onerror=alert(2)>"', 1), encoding="utf-8")
    page = Fava(merchant).page(f"?from={line.date}&to={line.date}")   # (its proposal among those listed)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>某某科技" not in page
    assert "&lt;b&gt;某某科技&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;转账" in page   # finding and queue
    assert f"{html.escape(narration, quote=False)} &lt;img src=x onerror=alert(2)&gt;" in page   # proposal


def test_a_config_the_page_cannot_read_is_said_on_the_page(merchant):
    (merchant / "config.yaml").write_text("books: books\nchannels: 3\n", encoding="utf-8")
    page = Fava(merchant).page()
    assert "beanclear cannot read its config" in page and "channels" in page


# -- writes ---------------------------------------------------------------------------------

def first_proposal(fava):
    return json.loads(rows(fava.page(), "bc-proposal")[0]["key"])


@pytest.mark.parametrize("send", [
    lambda f, key: f.client.get(f"/{f.slug}/{PAGE}accept"),
    lambda f, key: f.client.post(f"/{f.slug}/{PAGE}accept", data={"bank_refs": key["bank_refs"],
                                                                  "target": key["target"]}),
    lambda f, key: f.client.post(f"/{f.slug}/{PAGE}accept", data=json.dumps(key), content_type="text/plain"),
    lambda f, key: f.post("accept", key, Origin="https://evil.example"),
    lambda f, key: f.post("accept", key, **{"Sec-Fetch-Site": "cross-site"}),
    lambda f, key: f.post("accept", ["not", "an", "object"]),
], ids=["get", "form", "text-plain", "other-origin", "cross-site", "not-an-object"])
def test_writes_only_from_same_origin_json_posts(viewer, send):
    fava = viewer   # refused: nothing written (checked here and after the module)
    key = first_proposal(fava)
    before = books_snapshot(fava.merchant)
    response = send(fava, key)
    assert response.status_code in (400, 403, 404, 405, 415)
    assert books_snapshot(fava.merchant) == before


def test_accepting_a_proposal_links_the_bank_line_as_match_apply_does(fava):
    key = first_proposal(fava)
    proposals = matching.match(fava.entries(), fava.config())
    [proposal] = [p for p in proposals if review.proposal_key(p) == key]
    bank_file = Path(proposal.lines[0].entry.meta["filename"])
    written = str(bank_file.relative_to(fava.merchant))
    before = books_snapshot(fava.merchant)
    response = fava.post("accept", key, Origin="http://localhost")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"done": True, "message": "accepted 1 proposal(s)", "written": [written]}
    [link] = key["target"].split()
    [(name, (removed, added))] = changes(before, books_snapshot(fava.merchant)).items()
    assert name == str(bank_file.relative_to(fava.merchant / "books"))
    assert len(removed) == 1 and added == [f"{removed[0]} ^{link}"]
    after = fava.page()   # Fava has reloaded the books
    assert key not in [json.loads(r["key"]) for r in rows(after, "bc-proposal")]
    assert f"{len(proposals) - 1} match proposals" in after
    # accepted twice (a double click): nothing written, said in `link`'s words, 200 as
    # link, book, acknowledge and close answer an action done again (a blind tester got
    # 409 "this proposal is no longer made")
    written = books_snapshot(fava.merchant)
    again = fava.post("accept", key)
    linked = fava.post("link", {"bank_ref": key["bank_refs"][0], "items": [link]})
    assert again.status_code == linked.status_code == 200, again.json
    assert again.json == linked.json == {
        "done": False, "written": [],
        "message": f"bank line {key['bank_refs'][0]} is linked to {link} already; nothing was written"}
    assert books_snapshot(fava.merchant) == written
    # a proposal the books no longer make, not written: refused, the page is stale
    gone = fava.post("accept", {**key, "target": "payout-nope"})
    assert gone.status_code == 409 and "no longer made" in gone.json["error"]


def test_accepting_all_confident_writes_what_match_apply_writes(fava, viewer, tmp_path):
    confident = sum(p.confident for p in matching.match(viewer.entries(), viewer.config()))   # the same books
    other = copy_of(fava.merchant, tmp_path / "cli")
    assert beanclear(other, "match", "--apply").exit_code == 0
    response = fava.post("accept", {"all_confident": True})
    assert response.status_code == 200 and response.json["message"] == f"accepted {confident} proposal(s)"
    assert response.json["done"] is True and response.json["written"]
    assert books_snapshot(fava.merchant) == books_snapshot(other)
    assert f"{len(matching.match(fava.entries(), fava.config()))} match proposals" in fava.page()
    # twice (a double click), as `match --apply` twice: nothing written, said so, no error
    # (a blind tester got 409 "no confident proposal to accept")
    written = books_snapshot(fava.merchant)
    again, applied = fava.post("accept", {"all_confident": True}), beanclear(other, "match", "--apply")
    assert applied.exit_code == 0 and applied.output.strip().splitlines()[-1] == \
        "applied 0 confident proposals; 0 files changed"
    assert again.status_code == 200, again.json
    assert again.json == {"done": False, "message": "accepted 0 proposal(s)", "written": []}
    assert books_snapshot(fava.merchant) == written == books_snapshot(other)


def test_rejecting_a_proposal_is_remembered_and_it_is_not_proposed_again(fava):
    key = first_proposal(fava)
    before = books_snapshot(fava.merchant)
    assert fava.post("reject", {**key}).status_code == 400   # a reason is required
    response = fava.post("reject", {**key, "reason": "a <customer> deposit"})
    assert response.status_code == 200 and response.json["written"] == ["books/acks.beancount"]
    line = acks.reject_lines(key["bank_refs"], key["target"], "a <customer> deposit")[0]
    assert changes(before, books_snapshot(fava.merchant)) == {"acks.beancount": ([], line.splitlines())}
    assert key not in [json.loads(r["key"]) for r in rows(fava.page(), "bc-proposal")]
    assert all(review.proposal_key(p) != key for p in matching.match(fava.entries(), fava.config()))


def test_acknowledging_a_finding_writes_the_directive_and_check_marks_it(fava, viewer):
    queue = rows(fava.page(), "bc-await")
    assert [r["group"] for r in queue][:2] == ["bank", "bank"]   # the bank lines nothing explains lead the queue
    [row, *_] = [r for r in queue if r["group"] == "write-off"]
    assert (row["code"], row["suggested"]) == ("payout-mismatch", "write-off")   # errors first, the oldest first
    finding = [f for f in viewer.report().findings if f.code == "payout-mismatch"][0]   # the same books
    before = books_snapshot(fava.merchant)
    assert fava.post("acknowledge", {"code": "payout-mismatch", "ref": "nope", "reason": "x"}).status_code == 409
    assert fava.post("acknowledge", {"code": "payout-mismatch", "ref": finding.refs[0], "reason": ""}).status_code == 400
    assert books_snapshot(fava.merchant) == before
    response = fava.post("acknowledge", {"code": "payout-mismatch", "ref": finding.refs[0],
                                         "reason": "bank fee of 0.50, agreed"})
    assert response.status_code == 200, response.json
    line = acks.ack_line("payout-mismatch", finding.refs[0], "bank fee of 0.50, agreed")
    assert changes(before, books_snapshot(fava.merchant)) == {"acks.beancount": ([], line.splitlines())}
    page = fava.page()
    assert "payout-mismatch" not in [r["code"] for r in rows(page, "bc-finding")]   # hidden by the toggle
    assert "1 acknowledged hidden" in page
    shown = rows(fava.page("?acknowledged=shown"), "bc-finding")
    assert ("payout-mismatch", "error") in [(r["code"], r["severity"]) for r in shown]
    assert [f.acknowledged for f in checking.check(fava.config()).findings if f.code == "payout-mismatch"] == [True]


def test_page_state_is_computed_once_per_load_of_the_books(fava, monkeypatch):
    checks = []
    monkeypatch.setattr(reconcile, "find", lambda *a, **k: checks.append(a) or [])
    fava.page()
    assert checks == []   # the findings the plugins computed while Fava loaded the books
    calls = []
    monkeypatch.setattr(matching, "match", lambda *a: calls.append(a) or [])
    fava.page("?code=unsettled")
    fava.page("?severity=error")
    assert calls == []


def test_a_closed_months_proposals_are_shown_not_offered_and_its_lists_start_with_the_books(fava):
    proposals = matching.match(fava.entries(), fava.config())
    month = f"{min(p.lines[0].date for p in proposals):%Y-%m}"
    (fava.merchant / "books" / "periods.beancount").write_text(
        f'2026-04-01 custom "beanclear-close" "{month}"\n', encoding="utf-8")
    page = fava.page()
    shut = [p for p in proposals if any(f"{l.date:%Y-%m}" == month for l in p.lines)]
    # listed after the open months' (test_fava_page_proposals.py), counted apart
    assert shut and f"{len(shut)} in closed months, listed last, not offered" in page
    assert fava.page(f"?to={month}-31").count("its month is closed") == len(shut)
    offered = sum(p.confident for p in proposals if p not in shut)
    assert f"Accept all {offered} confident" in page
    months = re.search(r'<select name="report-month"[^>]*>(.*?)</select>', page, re.S).group(1)
    first = min(e.date for e in fava.entries() if isinstance(e, data.Transaction))
    assert re.findall(r"<option>(\d{4}-\d\d)</option>", months)[-1] == f"{first:%Y-%m}"   # none before the books


def test_with_every_month_closed_the_page_offers_what_match_apply_applies_and_says_it_as_link_does(fava, tmp_path):
    """Accept all confident is exactly `match --apply`: with every month of the proposals
    closed, it applies none and says so (200, nothing written), as the command does (exit
    0); the page counts none to accept; a single accept is refused naming the month and
    where it was closed, in the words of `beanclear link` (blind7 fava: closed-accept)."""
    import shutil
    proposals = matching.match(fava.entries(), fava.config())
    months = sorted({f"{line.date:%Y-%m}" for p in proposals for line in p.lines})
    (fava.merchant / "books" / "periods.beancount").write_text(
        "".join(f'2026-04-01 custom "beanclear-close" "{m}"\n' for m in months), encoding="utf-8")
    cli = tmp_path / "cli"
    shutil.copytree(fava.merchant, cli)
    page = fava.page()
    assert "Accept all" not in page and page.count("its month is closed") == min(len(proposals), review.QUEUE_SHOWN)
    assert f'<span class="bc-count">0 match proposals, {len(proposals)} in closed months</span>' in page
    before = books_snapshot(fava.merchant)
    response = fava.post("accept", {"all_confident": True})
    applied = beanclear(cli, "match", "--apply")
    assert applied.exit_code == 0
    shut = sum(p.confident for p in proposals)
    said = applied.output.strip().splitlines()[-1]
    assert said.startswith("applied 0 confident proposals; 0 files changed; ")
    assert sum(int(n) for n in re.findall(r"(\d+) of closed months", said)) == shut, said
    assert response.status_code == 200, response.json
    assert response.json["done"] is False and response.json["written"] == []
    # in the page's words (resolve.on_the_page: reopen is a command-line step)
    assert response.json["message"] == on_the_page(said.replace("applied 0 confident proposals; 0 files changed",
                                                                "accepted 0 proposal(s)"))
    # the demo's closed proposals are all credits the check pairs: nothing to reopen for
    assert "not linked" in said and "reopen" not in response.json["message"], response.json["message"]
    key = first_proposal(fava)
    response = fava.post("accept", key)
    [month] = {f"{line.date:%Y-%m}" for p in proposals for line in p.lines if line.ref in key["bank_refs"]}
    linked = beanclear(cli, "link", key["bank_refs"][0], *key["target"].split())
    assert response.status_code == 409 and linked.exit_code == 2
    assert on_the_page(linked.output.strip().splitlines()[-1]) == f"beanclear: {response.json['error']}"
    assert response.json["error"] == (f"{month} is closed (books/periods.beancount line {months.index(month) + 1}); "
                                      f"reopen {month} first (a command-line step: `beanclear reopen {month} "
                                      "--reason …`); nothing was written")
    assert books_snapshot(fava.merchant) == before


def test_a_write_while_a_command_reads_the_books_waits_the_pages_short_wait_then_says_busy(fava, monkeypatch):
    """A write from the page waits for a command holding the books (a `beanclear check` in
    a terminal) guard.WRITE_WAIT, not the minutes a terminal's import waits: then 409."""
    import threading
    from beanclear.books import atomic
    from beanclear.fava_page import guard
    monkeypatch.setattr(guard, "WRITE_WAIT", 0.0)
    key = first_proposal(fava)
    before = books_snapshot(fava.merchant)
    reading, done = threading.Event(), threading.Event()

    def reader():
        with atomic.reading(fava.merchant / "books"):
            reading.set()
            done.wait(60)
    thread = threading.Thread(target=reader)
    thread.start()
    try:
        assert reading.wait(60)
        response = fava.post("accept", key, Origin="http://localhost")
    finally:
        done.set()
        thread.join(60)
    assert response.status_code == 409 and "reading these books" in response.json["error"]
    assert books_snapshot(fava.merchant) == before
    assert fava.post("accept", key, Origin="http://localhost").status_code == 200   # the reader gone
