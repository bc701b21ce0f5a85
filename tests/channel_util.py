"""What the Stripe, PayPal, Airwallex and PingPong tests share: one config, running an
importer on a file, and totals of the postings."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from beancount.core import data

DATA = Path(__file__).resolve().parent / "data"

CHANNELS = """\
books: books
currency: USD
timezone: Asia/Shanghai
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 3}
  paypal: {type: paypal, currency: USD}
  airwallex: {type: airwallex, currency: USD}
  pingpong:
    type: pingpong
    currency: CNY
    columns: {date: 交易时间, id: 交易流水号, type: 交易类型, amount: 交易金额, currency: 币种, fee: 手续费,
              target_amount: 到账金额, target_currency: 到账币种, fx_rate: 汇率, status: 交易状态, balance: 账户余额,
              memo: 备注}
"""


def run(module, config, channel: str, path):
    """Identify and read one file with one importer module, as the import command does."""
    importer = module.Importer(config.channels[channel], config)
    assert importer.identify(str(path)), f"{module.__name__} does not recognise {path}"
    return importer.parse(str(path))


def totals(entries, account: str) -> dict[str, Decimal]:
    """What the entries post to an account, per currency (price annotations aside);
    currencies that come to zero are left out."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                if p.account == account:
                    out[p.units.currency] += p.units.number
    return {k: v for k, v in out.items() if v}


def balanced(entries) -> None:
    """Every transaction balances in Beancount's sense (weights per currency, within the
    tolerance its amounts imply: none for a whole amount, 6225 JPY), conversions at their
    price included: what bean-check asks of it."""
    from beancount.core import interpolate
    from beancount.parser import options
    defaults = options.OPTIONS_DEFAULTS
    for e in entries:
        if isinstance(e, data.Transaction):
            residual = interpolate.compute_residual(e.postings)
            assert residual.is_small(interpolate.infer_tolerances(e.postings, defaults)), (e, residual)


def golden(module, config, channel: str, path, golden_file):
    """Read a file, check every entry balances, and compare with its golden file."""
    from golden_util import assert_golden, extraction_text
    extraction = run(module, config, channel, path)
    balanced(extraction.entries)
    assert_golden(extraction_text(extraction), golden_file)
    return extraction


def raises_at(tmp_path, message: str, read) -> None:
    """`read()` fails with `<tmp_path>/<file>:<line>: <what>` starting as `message` says
    (`a.csv:2: column Fee: expected …`)."""
    import pytest
    from beanclear.importers.toolkit import StatementError
    with pytest.raises(StatementError) as caught:
        read()
    name, rest = message.split(":", 1)
    assert str(caught.value).startswith(f"{tmp_path / name}:{rest}"), str(caught.value)
