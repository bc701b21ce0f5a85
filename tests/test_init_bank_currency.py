"""`beanclear init` gives a bank whose statement does not state its currency the currency
of the payouts its credits are (a credit naming a payout, or the channel's payout memo,
of the payout's amount), and says so only where that is what it found. Blind tester
round 26 (locales): a Stripe EUR and a Stripe GBP report (one channel, EUR, also GBP)
beside a Barclays CSV crediting the GBP payouts by id and amount got `currency: EUR  #
found: the currency of the payouts in its lines`: the channel's main currency, not its
payouts'. The GBP lines were booked as EUR and check gave 18 false errors."""

from __future__ import annotations

from click.testing import CliRunner

from beanclear import cli
from beanclear import config as config_mod

STRIPE_HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
                 '"reporting_category","source_id","description","automatic_payout_id"\n')


def stripe(currency: str, payouts: list[tuple[str, str, str]]) -> str:
    """A Stripe itemized report: for each (day, amount, po id), a charge of that net on
    the day before and the payout of it."""
    rows = []
    for n, (day, amount, po) in enumerate(payouts):
        before = f"{day[:8]}{int(day[8:]) - 1:02d}"
        rows.append(f'"txn_ch{currency}{n:04d}xxxxxxxx","{before} 10:00:00","{day} 00:00:00","{currency.lower()}",'
                    f'"{amount}","0.00","{amount}","charge","ch_{currency}{n:04d}xxxx","Order {currency}-{n}","{po}"\n')
        rows.append(f'"txn_po{currency}{n:04d}xxxxxxxx","{day} 05:00:00","{day} 05:00:00","{currency.lower()}",'
                    f'"-{amount}","0.00","-{amount}","payout","{po}","STRIPE PAYOUT",""\n')
    return STRIPE_HEADER + "".join(rows)


EUR_PAYOUTS = [("2026-01-05", "2427.19", "po_1QiYtsxSMt4j8kqEDo7zVe"),
               ("2026-01-12", "1457.47", "po_1QtZ3eYYwXOHv4IoIbGDB5"),
               ("2026-01-19", "1780.30", "po_1QtSwFZExuvQ7iY0xGbpcA")]
GBP_PAYOUTS = [("2026-01-06", "593.13", "po_1Q75hfJOqdCwWJgpWANtkE"),
               ("2026-01-13", "1463.80", "po_1QOFiWlZbSQuP6Fmf86hU6")]

BARCLAYS_HEADER = "Date,Description,Type,Money In,Money Out,Balance\n"


def barclays(credits: list[tuple[str, str, str]], opening: str = "2000.00") -> str:
    """A Barclays-like CSV (newest first, DD/MM/YYYY, no currency) of (day, amount, text)
    credits and a fee."""
    balance, rows = float(opening) - 45, [f'03/01/2026,"ACCOUNT FEE",DD,,"45.00","{float(opening) - 45:,.2f}"\n']
    for day, amount, text in sorted(credits):
        balance += float(amount)
        rows.append(f'{day[8:]}/{day[5:7]}/{day[:4]},"{text}",BGC,"{float(amount):,.2f}",,"{balance:,.2f}"\n')
    return BARCLAYS_HEADER + "".join(reversed(rows))


SIGNED_HEADER = "Buchungstag;Verwendungszweck;Betrag;Saldo\n"


def signed_bank(credits: list[tuple[str, str, str]]) -> str:
    """Another bank's CSV layout (`;`, a signed amount), of (day, amount, text) credits
    and a fee."""
    balance, rows = 95.0, ["02.01.2026;Kontoführung;-5,00;95,00\n"]
    for day, amount, text in sorted(credits):
        balance += float(amount)
        rows.append(f"{day[8:]}.{day[5:7]}.{day[:4]};{text};{amount.replace('.', ',')};"
                    f"{f'{balance:.2f}'.replace('.', ',')}\n")
    return SIGNED_HEADER + "".join(rows)


def arrived(payouts, text: str, days: int = 1, named: bool = True) -> list[tuple[str, str, str]]:
    return [(f"{day[:8]}{int(day[8:]) + days:02d}", amount, f"{text} {po}" if named else text)
            for day, amount, po in payouts]


def init(tmp_path, files: dict[str, str]) -> tuple[str, object, str]:
    folder = tmp_path / "statements"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["init", str(tmp_path / "m"), "--from", str(folder), "--yes"])
    assert result.exit_code == 0, result.output
    config_path = tmp_path / "m" / "config.yaml"
    return config_path.read_text(encoding="utf-8"), config_mod.load(config_path), result.output


def currency_line(text: str, bank: str) -> str:
    """The `currency:` line of a bank in init's config.yaml."""
    block = text.split(f"\n  {bank}:\n", 1)[1]
    return next(line for line in block.splitlines() if line.startswith("    currency:"))


def test_a_bank_crediting_the_gbp_payouts_of_a_eur_and_gbp_channel_is_gbp(tmp_path):
    text, config, output = init(tmp_path, {
        "stripe_eu/report.csv": stripe("EUR", EUR_PAYOUTS),
        "stripe_gbp/report.csv": stripe("GBP", GBP_PAYOUTS),
        "Barclays.csv": barclays(arrived(GBP_PAYOUTS, "STRIPE PAYMENTS UK LTD STRIPE"))})
    assert config.channels["stripe"].currency == "EUR"   # the channel's main currency: not the bank's
    assert config.banks["csv"].currency == "GBP", currency_line(text, "csv")
    assert "found: the currency of the payouts its credits are (2 of them); check it" in currency_line(text, "csv")
    assert "    bank: csv                 # found: its payouts are in this bank's lines; its payouts in EUR are in " \
           "no bank's lines here\n" in text, text
    # the books init wrote hold the bank's lines in GBP, paying the GBP payouts
    books = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "m" / "books" / "csv").rglob("*.beancount"))
    assert "593.13 GBP" in books and " EUR" not in books, books
    assert "opening balance 2000.00 GBP" in output, output


def test_two_banks_silent_on_their_currency_each_get_their_payouts_currency(tmp_path):
    """Several banks, credits naming no payout id (a payout memo and the amount): each
    bank is in the currency of the payouts it is credited, and the channel gets both."""
    text, config, _ = init(tmp_path, {
        "stripe_eu/report.csv": stripe("EUR", EUR_PAYOUTS),
        "stripe_gbp/report.csv": stripe("GBP", GBP_PAYOUTS),
        "Barclays.csv": barclays(arrived(GBP_PAYOUTS, "STRIPE PAYMENTS UK LTD", named=False)),
        "sparkasse.csv": signed_bank(arrived(EUR_PAYOUTS, "STRIPE TECHNOLOGY EUROPE", days=2, named=False))})
    currencies = {b.columns.get("date"): b.currency for b in config.banks.values()}
    assert currencies == {"Date": "GBP", "Buchungstag": "EUR"}, text
    by_currency = {config.banks[b].currency: b for b in config.channels["stripe"].payout_banks}
    assert set(by_currency) == {"EUR", "GBP"}, config.channels["stripe"]


def test_credits_paying_payouts_in_two_currencies_decide_nothing_and_say_so(tmp_path):
    credits = arrived(GBP_PAYOUTS[:1], "STRIPE") + arrived(EUR_PAYOUTS[:1], "STRIPE")
    text, config, _ = init(tmp_path, {
        "stripe_eu/report.csv": stripe("EUR", EUR_PAYOUTS),
        "stripe_gbp/report.csv": stripe("GBP", GBP_PAYOUTS),
        "bank.csv": barclays(credits)})
    line = currency_line(text, "csv")
    assert line.startswith("    currency: EUR ") and "default:" in line, line   # the operating currency
    assert "its credits are payouts in EUR (1) and GBP (1)" in line, line


def test_a_multi_currency_channel_named_without_a_payout_amount_decides_nothing(tmp_path):
    """Credits that say STRIPE but are of no payout's amount: the channel pays out in two
    currencies, so which one the bank is in is not known; the comment says why."""
    text, config, _ = init(tmp_path, {
        "stripe_eu/report.csv": stripe("EUR", EUR_PAYOUTS),
        "stripe_gbp/report.csv": stripe("GBP", GBP_PAYOUTS),
        "bank.csv": barclays([("2026-01-20", "77.70", "STRIPE PAYMENTS UK LTD")])})
    line = currency_line(text, "csv")
    assert "default:" in line and "stripe pays out in EUR and GBP" in line, line
    assert "found" not in line


# -- must not change -----------------------------------------------------------------------

def test_a_one_currency_channel_s_payouts_still_give_their_currency(tmp_path):
    """With only the GBP report, the bank is GBP, as before, now found from the amounts."""
    text, config, _ = init(tmp_path, {
        "stripe_gbp/report.csv": stripe("GBP", GBP_PAYOUTS),
        "Barclays.csv": barclays(arrived(GBP_PAYOUTS, "STRIPE PAYMENTS UK LTD STRIPE"))})
    assert config.banks["csv"].currency == "GBP"
    assert "found: the currency of the payouts its credits are (2 of them)" in currency_line(text, "csv")
    assert "    bank: csv                 # found: its payouts are in this bank's lines\n" in text, text


def test_a_one_currency_channel_named_without_its_amounts_is_a_guess_said_so(tmp_path):
    """A credit naming the channel (its memo) of no payout's amount (a bank that pooled
    two, say): the channel pays out in one currency, so the bank is taken to be in it,
    and the comment says it is not what its credits showed."""
    text, config, _ = init(tmp_path, {
        "stripe_gbp/report.csv": stripe("GBP", GBP_PAYOUTS),
        "Barclays.csv": barclays([("2026-01-14", "2056.93", "STRIPE PAYMENTS UK LTD")])})
    line = currency_line(text, "csv")
    assert config.banks["csv"].currency == "GBP"
    assert "guessed: stripe pays out in GBP only and its lines name it, though none is a payout's amount" in line, line
