"""Shared fixtures: the real samples live in ../shared/samples (never copied here)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from beanclear import config as config_mod

REPO = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("BEANCLEAR_SAMPLES", REPO.parent / "shared" / "samples"))
GOLDEN = Path(__file__).resolve().parent / "golden"

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
        pytest.skip(f"sample {path} not found (set BEANCLEAR_SAMPLES to the samples folder)")
    return path


@pytest.fixture
def make_config(tmp_path):
    """Write a config.yaml into tmp_path and load it."""
    def make(text: str = WECHAT_AND_BANK):
        path = tmp_path / "config.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return config_mod.load(path)
    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, as bytes (lock file left out)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".beanclear.lock"}
