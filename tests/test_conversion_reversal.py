"""A conversion the channel reversed (Airwallex's `CONVERSION_REVERSAL` rows, the same
`source_id`, booked as a conversion back): the conversion and its reversal are judged as
one by the fx-gap check, on what they leave together; and an fx-gap names the conversion
by its own id (`conversion-id`, the id Airwallex's console shows)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import beanclear, write_files

CONFIG = """\
books: books
currency: CNY
timezone: Asia/Shanghai
channels:
  airwallex: {type: airwallex, currency: USD}
rules:
  - {match: "AMAZON", account: Income:Sales:Amazon}
checks:
  fx-gap: {severity: warning, tolerance_bps: 50}
"""
RATES = "date,pair,rate\n2026-10-07,USD/CNY,7.1497\n2026-10-08,USD/CNY,7.1490\n"


def item(ident, amount, currency, kind, when, source="conv_1", rate="7.0425"):
    return (f'{{"id": "{ident}", "amount": {amount}, "fee": 0, "net": {amount}, "currency": "{currency}", '
            f'"batch_id": null, "client_rate": {rate}, "currency_pair": "USDCNY", "created_at": "{when}+0000", '
            f'"source_id": "{source}", "source_type": "CONVERSION", "transaction_type": "{kind}", '
            f'"status": "SETTLED", "description": "Conversion"}}')


DEPOSIT = ('{"id": "ft_dp_1", "amount": 9000.00, "fee": 0, "net": 9000.00, "currency": "USD", "batch_id": null, '
           '"created_at": "2026-10-05T01:30:00+0000", "source_id": "dep_1", "transaction_type": "DEPOSIT", '
           '"status": "SETTLED", "description": "AMAZON.COM SERVICES LLC"}')
# conv_1 sells 3,000.00 USD at 7.0425, 150 bps under the reference 7.1497: 321.60 CNY lost
SOLD = [item("ft_cs_1", "-3000.00", "USD", "CONVERSION_SELL", "2026-10-07T03:00:00"),
        item("ft_cb_1", "21127.50", "CNY", "CONVERSION_BUY", "2026-10-07T03:00:00")]


def back(usd, cny):
    """conv_1's reversal the next morning: `usd` back for `cny`."""
    return [item("ft_cr_1a", usd, "USD", "CONVERSION_REVERSAL", "2026-10-07T23:00:00"),
            item("ft_cr_1b", f"-{cny}", "CNY", "CONVERSION_REVERSAL", "2026-10-07T23:00:00")]


@pytest.fixture
def merchant(tmp_path):
    def make(*items):
        folder = tmp_path / "m"
        write_files(folder, {"config.yaml": CONFIG, "statements/rates.csv": RATES,
                             "statements/awx.json": '{"has_more": false, "items": [\n'
                             + ",\n".join((DEPOSIT, *items)) + "\n]}"})
        result = beanclear(folder, "import", str(folder / "statements"))
        assert result.exit_code == 0, result.output
        return folder
    return make


def fx_gaps(folder):
    result = beanclear(folder, "check", "--format", "json")
    return [f for f in json.loads(result.output)["findings"] if f["code"] == "fx-gap"]


def spread(folder):
    result = beanclear(folder, "report", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    return {c["currency"]: Decimal(c["fx_spread"]) for c in json.loads(result.output)["channels"]}


def test_a_conversion_reversed_in_full_at_its_amounts_is_no_fx_gap(merchant):
    # blind17 xwallets: a loss of 321.60 CNY on conv_1 and a "gain" of 44.69 USD on its
    # reversal, both in the month's FX spread; the pair lost nothing
    folder = merchant(*SOLD, *back("3000.00", "21127.50"))
    assert fx_gaps(folder) == []
    assert not any(spread(folder).values())   # (its CNY row: nothing left to show)
    text = (folder / "books" / "airwallex" / "2026" / "2026-10.beancount").read_text(encoding="utf-8")
    assert '"Conversion reversal CNY to USD"' in text and 'reversal: "true"' in text


def test_a_conversion_reversed_at_other_amounts_is_one_finding_of_what_the_pair_left(merchant):
    # 3,000.00 USD came back for 21,000.00 CNY, not 21,127.50: 127.50 CNY kept, 59 bps
    folder = merchant(*SOLD, *back("3000.00", "21000.00"))
    [gap] = fx_gaps(folder)
    assert (Decimal(gap["amount"]), gap["currency"]) == (Decimal("127.50"), "CNY")
    assert gap["refs"][:2] == ["ft_cs_1", "conv_1"] and {"ft_cr_1a", "ft_cr_1b"} <= set(gap["refs"])
    assert ("USD→CNY at 7.0425 on 3,000.00 USD, reversed on 2026-10-08 (3,000.00 USD back for 21,000.00 CNY): "
            "left 0.00 USD and +127.50 CNY, against the reference 7.1497 of 2026-10-07: +59.4 bps of 3,000.00 USD, "
            "127.50 CNY gained (tolerance 50 bps)") in gap["message"]
    assert spread(folder) == {"USD": 0, "CNY": Decimal("-127.50")}


def test_a_partial_reversal_leaves_the_rest_converted_at_its_rate(merchant):
    # 1,000.00 USD of the 3,000.00 back at the same rate: 2,000.00 USD sold at 7.0425
    folder = merchant(*SOLD, *back("1000.00", "7042.50"))
    [gap] = fx_gaps(folder)
    assert (Decimal(gap["amount"]), gap["currency"], gap["date"]) == (Decimal("214.40"), "CNY", "2026-10-07")
    assert ("reversed in part on 2026-10-08 (1,000.00 USD back for 7,042.50 CNY): left 2,000.00 USD sold "
            "at 7.0425, reference 7.1497 of 2026-10-07: -149.9 bps, 214.40 CNY lost") in gap["message"]
    assert spread(folder) == {"USD": 0, "CNY": Decimal("214.40")}


def test_a_reversal_at_amounts_within_tolerance_is_no_finding(merchant):
    # must not fire: 3,000.00 USD back for 21,120.00 CNY, 7.50 CNY kept (3.5 bps)
    folder = merchant(*SOLD, *back("3000.00", "21120.00"))
    assert fx_gaps(folder) == []


def test_a_conversion_beyond_tolerance_without_a_reversal_is_still_an_fx_gap(merchant):
    # must not fire less: conv_1 alone, and a second conversion at a fair rate beside it
    folder = merchant(*SOLD, item("ft_cs_2", "-5000.00", "USD", "CONVERSION_SELL", "2026-10-08T01:00:00",
                                  source="conv_2", rate="7.1300"),
                      item("ft_cb_2", "35650.00", "CNY", "CONVERSION_BUY", "2026-10-08T01:00:00",
                           source="conv_2", rate="7.1300"))
    [gap] = fx_gaps(folder)
    assert (Decimal(gap["amount"]), gap["currency"]) == (Decimal("321.60"), "CNY")
    assert gap["refs"][0] == "ft_cs_1" and "-149.9 bps on 3,000.00 USD, 321.60 CNY lost" in gap["message"]
    assert spread(folder) == {"USD": 0, "CNY": Decimal("321.60")}


def test_an_fx_gap_is_named_by_the_conversion_s_own_id(merchant):
    # blind17 xwallets: `ack fx-gap conv_1` was "no fx-gap finding names conv_1"
    folder = merchant(*SOLD)
    [gap] = fx_gaps(folder)
    assert "conv_1" in gap["refs"] and gap["refs"][0] == "ft_cs_1"
    result = beanclear(folder, "ack", "fx-gap", "conv_1", "--reason", "quote agreed with Airwallex")
    assert result.exit_code == 0, result.output
    assert fx_gaps(folder)[0]["acknowledged"] is True
