"""A source's `currency:` that its statement contradicts is refused at import, naming the
key (statements/stated_currency.py). blind19 misconfig: `channels.wechat.currency: USD`
beside a trade bill whose 货币种类 says CNY on every row was imported (exit 0): the trade
bill in CNY, the fund bill (no currency column) in USD with an opening of 736.15 USD out
of equity, then 286 findings, none naming the key; `banks.cmb.currency: USD` on a CMB
file whose 货币 column says CNY was silently ignored."""

from __future__ import annotations

import pytest

from conftest import beanclear, snapshot, write_files
from test_china_times import fund_bill, trade_bill

WECHAT = """\
books: books
currency: CNY
channels:
  wechat:
    type: wechat
    currency: {currency}
    settlement_days: 1
"""
CMB = """\
books: books
currency: CNY
banks:
  cmb:
    type: cmb
    account: Assets:Bank:CMB
{currency}"""
CMB_HEADER = "记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要"


def wechat(tmp_path, currency: str):
    folder = write_files(tmp_path, {"config.yaml": WECHAT.format(currency=currency)})
    (folder / "statements").mkdir()
    trade_bill(folder / "statements")
    fund_bill(folder / "statements", "2026-10-01", [("2026-10-01 10:00:00", "4200000000000000000000000001",
                                                      "99.40", "99.40")])
    return folder


def cmb_file(folder, name="cmb.csv", currency="人民币", rows=(("2026-03-01", "100.00", "1100.00", "转账"),
                                                          ("2026-03-02", "-20.00", "1080.00", "电费"))):
    path = folder / "statements" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([CMB_HEADER] + [f"{day},{currency},{amount},{after},{memo},某某,"
                                              for day, amount, after, memo in rows]) + "\n", encoding="utf-8")
    return path


def test_a_channel_currency_the_trade_bill_contradicts_refuses_the_whole_import(tmp_path):
    folder = wechat(tmp_path, "USD")
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 2, result.output
    assert ("tradebill-2026-10-01.csv:2: channels.wechat.currency: USD (config.yaml:6), but the statement states "
            "CNY: every amount it books on Assets:Clearing:WeChat is in CNY, and the config's currency is only for "
            "statements that state none (1 other statement of wechat in this import, fundflow-2026-10-01.csv, "
            "states none and would be booked in USD); write `currency: CNY` there, or leave the key out"
            ) in result.output
    assert "Traceback" not in result.output
    assert snapshot(folder / "books") == {}   # the fund bill beside it is not booked in USD either


def test_the_refusal_holds_on_books_that_hold_the_trade_bill_rows_already(tmp_path):
    """Read again (--force), a trade bill whose every row the books hold builds no entry
    (StatementImporter.held): its rows still say their currency."""
    folder = wechat(tmp_path, "CNY")
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    before = snapshot(folder / "books")
    (folder / "config.yaml").write_text(WECHAT.format(currency="USD"), encoding="utf-8")
    result = beanclear(folder, "import", "--force", str(folder / "statements"))
    assert result.exit_code == 2, result.output
    assert "tradebill-2026-10-01.csv:2: channels.wechat.currency: USD (config.yaml:6), but the statement states " \
           "CNY" in result.output
    assert snapshot(folder / "books") == before


def test_a_bank_currency_its_statement_contradicts_is_refused(tmp_path):
    folder = write_files(tmp_path, {"config.yaml": CMB.format(currency="    currency: USD\n")})
    cmb_file(folder)
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 2, result.output
    assert ("cmb.csv:2: banks.cmb.currency: USD (config.yaml:7), but the statement states CNY: every amount it "
            "books on Assets:Bank:CMB is in CNY, and the config's currency is only for statements that state none; "
            "write `currency: CNY` there, or leave the key out") in result.output
    assert snapshot(folder / "books") == {}


@pytest.mark.parametrize("currency", ["    currency: CNY\n", ""])
def test_a_bank_whose_statement_states_its_configured_currency_or_none_is_written_imports(tmp_path, currency):
    """Must not fire: the key agrees, or is left out (its default yields to the statement:
    a CMB account in USD with no `currency:` is booked in USD, as documented)."""
    folder = write_files(tmp_path, {"config.yaml": CMB.format(currency=currency)})
    cmb_file(folder, currency="人民币" if currency else "美元")
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 0, result.output
    assert "banks.cmb.currency" not in result.output


def test_a_bank_account_of_several_currencies_takes_a_statement_of_another_of_them(tmp_path):
    """Must not fire: the books assert the account's balance in its configured currency,
    so a later statement of only another currency is of a multi-currency account."""
    folder = write_files(tmp_path, {"config.yaml": CMB.format(currency="    currency: CNY\n")})
    cmb_file(folder)
    assert beanclear(folder, "import", str(folder / "statements")).exit_code == 0
    usd = cmb_file(folder, "cmb-usd.csv", "美元", (("2026-03-03", "50.00", "50.00", "转账"),))
    result = beanclear(folder, "import", str(usd))
    assert result.exit_code == 0, result.output


STRIPE = """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 2}
"""
STRIPE_EUR = "\n".join([
    '"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category",'
    '"source_id","description"',
    '"txn_E1","2026-03-10 15:00:00","2026-03-12 15:00:00","eur","100.00","1.75","98.25","charge","ch_E1","Order #1"'
]) + "\n"
PAYPAL = """\
books: books
currency: USD
timezone: America/New_York
channels:
  paypal: {type: paypal, currency: USD, settlement_days: 2}
"""
PAYPAL_EUR = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","Transaction ID",'
              '"Reference Txn ID","Balance"\n'
              '"13/01/2026","10:00:00","CET","A","Website Payment","Completed","EUR","5.00","-0.30","4.70","T1","",'
              '"4.70"\n')


@pytest.mark.parametrize("config, name, text", [(STRIPE, "stripe-eur.csv", STRIPE_EUR),
                                                (PAYPAL, "paypal-eur.csv", PAYPAL_EUR)])
def test_a_multi_currency_channel_takes_a_statement_of_another_of_its_currencies(tmp_path, config, name, text):
    """Must not fire: Stripe's and PayPal's balances are kept per currency, and a report
    may be of one of them (the EUR balance of an account configured USD)."""
    folder = write_files(tmp_path, {"config.yaml": config, f"statements/{name}": text})
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 0, result.output
    assert " EUR" in "".join(p.read_text() for p in (folder / "books").rglob("*.beancount"))


def test_a_bank_account_of_several_currencies_takes_both_statements_in_one_import(tmp_path):
    """Must not fire, whatever the batching: the statement of the configured currency
    beside it in the same import shows the account holds several."""
    folder = write_files(tmp_path, {"config.yaml": CMB.format(currency="    currency: CNY\n")})
    cmb_file(folder)
    cmb_file(folder, "cmb-usd.csv", "美元", (("2026-03-03", "50.00", "50.00", "转账"),))
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 0, result.output
