"""Every consistent real sample imports into fresh books whose config gives only its
source type and currency, and its balance assertions pass: the opening comes from the
statement itself (DESIGN.md §1, "Openings come from the statements")."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import SAMPLES, beanclear

CASES = {  # folder: (role, type, currency)
    "alipay_personal": ("channel", "alipay-personal", "CNY"),
    "wechat_personal": ("channel", "wechat-personal", "CNY"),
    "wechat_merchant": ("channel", "wechat", "CNY"),
    "stripe_csv": ("channel", "stripe", "USD"),
    "stripe_api_json": ("channel", "stripe", "USD"),
    "paypal_csv": ("channel", "paypal", "USD"),
    "paypal_api_json": ("channel", "paypal", "USD"),
    "bank_ofx": ("bank", "ofx", "USD"),
    "camt053": ("bank", "camt053", "EUR"),
    "mt940": ("bank", "mt940", "EUR"),
}
# A file of two accounts' statements needs account_id to pick one: refused, rightly.
NEEDS_ACCOUNT_ID = {"mt940-betterplace-sepa_snippet.sta"}


def samples():
    for folder, case in sorted(CASES.items()):
        for path in sorted((SAMPLES / folder).glob("*")) if (SAMPLES / folder).exists() else ():
            if path.name not in NEEDS_ACCOUNT_ID:
                yield pytest.param(path, case, id=f"{folder}/{path.name}")


def config(role: str, kind: str, currency: str) -> str:
    head = f"books: books\ncurrency: {currency}\n"
    if role == "bank":
        return head + f"banks:\n  src: {{type: {kind}, account: Assets:Bank:Src, currency: {currency}}}\n"
    return head + f"channels:\n  src: {{type: {kind}, currency: {currency}}}\n"


@pytest.mark.parametrize("path, case", list(samples()))
def test_sample_imports_into_fresh_books_and_its_balances_hold(tmp_path, path, case):
    (tmp_path / "config.yaml").write_text(config(*case), encoding="utf-8")
    (tmp_path / "st").mkdir()
    shutil.copy(path, tmp_path / "st" / path.name)
    result = beanclear(tmp_path, "import", str(tmp_path / "st"))
    assert result.exit_code == 0, result.output
    checked = beanclear(tmp_path, "check", "--format", "json")
    failed = [f["message"] for f in json.loads(checked.output)["findings"] if f["code"] == "beancount"]
    assert failed == []
