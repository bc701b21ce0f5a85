"""`book --rule` saves the rule into config.yaml changing only the rule's lines (and a
`rules:` key where there was none), whatever the rest of the file looks like: a blind
tester's `columns: {…}` wrapped over two lines (as DESIGN.md §3 lays a shop's out) was
joined into one by the round trip that saved the rule. Each layout: the exact text
after, the books written, the same rule again writing nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import beanclear, snapshot

DATA = Path(__file__).parent / "data" / "resolve"

BLOCK = "  - match: ALIYUN\n    account: Expenses:Hosting\n"
FLOW = "{match: ALIYUN, account: Expenses:Hosting}"

WECHAT = """\
channels:
  wechat:
    type: wechat
    settlement_days: 400
    bank: ops
    bank_days: 2
    fees:
"""
OPS = """\
banks:
  ops:
    type: csv
    account: Assets:Bank:Ops
    columns: {date: d, amount: a, memo: m, payee: p, ref: r}
"""
HEAD = "books: books\ncurrency: CNY\n\n" + WECHAT + "      - {rate: 0.006, min: 0.01}\n\n" + OPS + "\n"
CHECKS = "checks:\n  bank-unmatched: {severity: warning}\n"
RENT = '  - match: "房租"\n    account: Expenses:Rent\n'


def four_spaces(text: str) -> str:
    """YAML indented by two spaces a level (`- ` before an item) indented by four
    (`-   `), as a person who indents by four writes it."""
    return re.sub(r"(?m)^( *)(- )?", lambda m: " " * (2 * len(m.group(1))) + ("-   " if m.group(2) else ""), text)


# (the config with @ where the rule goes, what goes there)
LAYOUTS = {
    # the blind tester's: flow mapping and flow sequence wrapped over two lines
    "wrapped flow collections": (HEAD.replace(
        "    fees:\n      - {rate: 0.006, min: 0.01}\n", "    fees: [{rate: 0.006,\n            min: 0.01}]\n").replace(
        "    columns: {date: d, amount: a, memo: m, payee: p, ref: r}\n",
        "    columns: {date: d, amount: a, memo: m,\n              payee: p, ref: r}\n")
        + "rules:\n" + RENT + "@\n" + CHECKS, BLOCK),
    "comments and quoting styles": ("""\
# a small merchant  (top comment)
books: 'books'           # single quotes
currency: "CNY"
timezone: Asia/Shanghai  # the default

channels:
  wechat:
    type: "wechat"
    settlement_days: 400      # no unsettled findings here
    bank: 'ops'
    bank_days: 2
    fees:
      # the contract
      - {rate: 0.006, min: 0.01}   # 0.6 %

banks:
  ops:
    type: csv
    account: "Assets:Bank:Ops"
    columns:
      date: d        # 交易日期
      amount: a
      memo: m
      payee: p
      ref: r

rules:                        # first match wins
  # the landlord
  - match: '房租'   # rent
    account: "Expenses:Rent"  # monthly
@  # - match: "AWS"
  #   account: Expenses:Hosting

# checks last
checks:
  bank-unmatched: {severity: warning}   # noisy
""", BLOCK),
    # a pattern wrapped by hand (a plain scalar over two lines) and one longer than a
    # line ruamel would wrap at
    "long and wrapped lines": (HEAD + "rules:\n  - match: 房租|rent\n      |office\n    account: Expenses:Rent\n"
                               '  - match: "(' + "|".join(f"office {i} rent" for i in range(500)) + ')"\n'
                               "    account: Expenses:Rent\n@\n" + CHECKS, BLOCK),
    "four-space indentation": (four_spaces("books: books\n" + WECHAT + "      - rate: 0.006\n        min: 0.01\n" + OPS
                                           + "rules:\n" + RENT + "@" + CHECKS), four_spaces(BLOCK)),
    "a sequence not indented under its key": (HEAD + 'rules:\n- match: "房租"\n  account: Expenses:Rent\n@\n' + CHECKS,
                                              "- match: ALIYUN\n  account: Expenses:Hosting\n"),
    "rules as flow mappings": (HEAD + 'rules:\n  - {match: "房租", account: Expenses:Rent}\n@\n' + CHECKS,
                               f"  - {FLOW}\n"),
    "rules as a flow sequence": (HEAD + 'rules: [{match: "房租", account: Expenses:Rent}@]\n\n' + CHECKS,
                                 f", {FLOW}"),
    "rules as a flow sequence over lines": (HEAD + 'rules: [\n  {match: "房租", account: Expenses:Rent}@,\n]\n\n'
                                            + CHECKS, f",\n  {FLOW}"),
    "rules as an empty flow sequence": (HEAD + "rules: [@]\n\n" + CHECKS, FLOW),
    "rules: with nothing under it": (HEAD + "rules:         # none yet\n@\n" + CHECKS, BLOCK),
    "no rules: key": (HEAD + CHECKS + "@", "rules:\n" + BLOCK),
    "no rules: key, no line end at the end": (HEAD + CHECKS.rstrip("\n") + "@", "\nrules:\n" + BLOCK),
    "no rules: key, four-space indentation": (
        "books: books\nbanks:\n    ops:\n        type: csv\n        account: Assets:Bank:Ops\n"
        "        columns: {date: d, amount: a, memo: m, payee: p, ref: r}\nchannels:\n    wechat:\n"
        "        type: wechat\n        bank: ops\n        settlement_days: 400\n# the end\n@",
        "rules:\n    - match: ALIYUN\n      account: Expenses:Hosting\n"),
    "no rules: key, a document end marker": (HEAD + CHECKS + "@...\n", "rules:\n" + BLOCK),
}


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    shutil.copytree(DATA, tmp_path / "m")
    return tmp_path / "m"


def book_with_a_rule(shop, before: bytes, after: bytes):
    config = shop / "config.yaml"
    config.write_bytes(before)
    books = snapshot(shop / "books")
    result = beanclear(shop, "book", "B2", "Expenses:Hosting", "--rule", "ALIYUN", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["done"] is True
    assert config.read_bytes().decode("utf-8") == after.decode("utf-8")   # (a diff pytest shows)
    assert config.read_bytes() == after
    assert snapshot(shop / "books") != books
    again = beanclear(shop, "book", "B2", "Expenses:Hosting", "--rule", "ALIYUN", "--format", "json")
    assert again.exit_code == 0 and json.loads(again.output)["written"] == []
    assert config.read_bytes() == after


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_rule_saved_changes_only_its_own_lines_of_config_yaml(shop, layout):
    text, rule = LAYOUTS[layout]
    book_with_a_rule(shop, text.replace("@", "").encode("utf-8"), text.replace("@", rule).encode("utf-8"))


@pytest.mark.parametrize("layout", ["wrapped flow collections", "no rules: key"])
def test_a_config_with_crlf_line_ends_keeps_them_and_the_rule_gets_them_too(shop, layout):
    text, rule = LAYOUTS[layout]
    crlf = lambda t: t.replace("\n", "\r\n").encode("utf-8")   # noqa: E731
    book_with_a_rule(shop, crlf(text.replace("@", "")), crlf(text.replace("@", rule)))


def test_a_rule_that_cannot_be_added_without_rewriting_other_lines_is_refused_touching_nothing(shop):
    # the whole config one flow mapping: a `rules:` key cannot be appended as lines of its own
    config = shop / "config.yaml"
    config.write_text("{books: books, channels: {wechat: {type: wechat, settlement_days: 400, bank: ops}}, "
                      "banks: {ops: {type: csv, account: Assets:Bank:Ops, "
                      "columns: {date: d, amount: a, memo: m, payee: p, ref: r}}}}\n", encoding="utf-8")
    before, config_before = snapshot(shop / "books"), config.read_bytes()
    result = beanclear(shop, "book", "B2", "Expenses:Hosting", "--rule", "ALIYUN")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert ("rule: cannot add it to config.yaml without rewriting other lines of it (the file is one flow "
            "mapping); add `- {match: ALIYUN, account: Expenses:Hosting}` to its `rules:` by hand") in result.output
    assert snapshot(shop / "books") == before and config.read_bytes() == config_before
    # without --rule the line is booked
    assert beanclear(shop, "book", "B2", "Expenses:Hosting").exit_code == 0


@pytest.mark.parametrize("pattern, written", [
    ("ALIYUN|阿里云", "ALIYUN|阿里云"),           # plain, as before
    ("[Aa]liyun", "'[Aa]liyun'"),               # a plain scalar cannot start with [
    ("ALIYUN: 2026", "'ALIYUN: 2026'"),          # nor hold ': '
    ("ALIYUN #2026", "'ALIYUN #2026'"),          # nor ' #'
])
def test_the_pattern_is_written_as_yaml_reads_it_back(shop, pattern, written):
    config = shop / "config.yaml"
    text = config.read_text(encoding="utf-8")
    ops = shop / "books" / "ops/2026/2026-03.beancount"
    ops.write_text(ops.read_text(encoding="utf-8").replace('"ALIYUN 2026-03"', f'"{pattern} Aliyun"'),
                   encoding="utf-8")
    result = beanclear(shop, "book", "B2", "Expenses:Hosting", "--rule", pattern)
    assert result.exit_code == 0, result.output
    assert config.read_text(encoding="utf-8") == text.replace(
        "    account: Expenses:Rent\n", f"    account: Expenses:Rent\n  - match: {written}\n    account: Expenses:Hosting\n")


@pytest.mark.parametrize("before, after", [
    # a flow sequence over lines whose last item has no comma: the comma is added to its
    # line (its comment kept there), the rule on a line of its own
    ('rules: [\n  {match: "房租", account: Expenses:Rent}   # rent\n]\n',
     'rules: [\n  {match: "房租", account: Expenses:Rent},   # rent\n  ' + FLOW + '\n]\n'),
    # `rules: ~` (no rules, said so): the list of the rule in its place
    ("rules: ~   # none yet\n", "rules: [" + FLOW + "]   # none yet\n"),
])
def test_a_rule_saved_where_a_line_of_config_yaml_must_change_changes_that_line_only(shop, before, after):
    book_with_a_rule(shop, (HEAD + before + "\n" + CHECKS).encode("utf-8"),
                     (HEAD + after + "\n" + CHECKS).encode("utf-8"))


def test_an_insertion_that_would_read_as_more_than_the_rule_is_refused(tmp_path):
    # `rules:` an alias of a list given earlier: lines added at its end would land in
    # that list, and the text read back says so
    from beanclear.resolve import ResolveError
    from beanclear.resolve.booking import with_rule
    config = tmp_path / "config.yaml"
    config.write_text("x: &r\n  - match: 房租\n    account: Expenses:Rent\nrules: *r\n", encoding="utf-8")
    with pytest.raises(ResolveError, match=r"rule: cannot add it to config.yaml without rewriting other lines of "
                                           r"it \(added as lines of their own, the rest of the file would read "
                                           r"differently\); add `- \{match: ALIYUN, account: Expenses:Hosting\}`"):
        with_rule(config, "ALIYUN", "Expenses:Hosting", "ALIYUN 2026-03")
