"""The text of config.yaml from a survey, key by key with a comment saying where each
value came from ("found" in the statements, or "default" where only the merchant knows),
and the repository's template files: .gitignore, pre-commit and CI."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

from beanclear.config import DEFAULT_TIMEZONE, title_of
from beanclear.config.model import ACCOUNT_ROOTS, SETTLEMENT_DAYS, WALLET_SETTLEMENT_DAYS, WALLET_TYPES
from beanclear.importers.bank_presets import PRESETS
from beanclear.setup.landed import Landed
from beanclear.setup.survey import Source, Survey

HEADER = """\
# config.yaml, written by `beanclear init` from the statements in {folder}.
#
# Each key says where its value came from: "found" = read from the statements;
# "default" = beanclear could not decide it and took its default: check those, they
# are your contract with the channel or your bank. Every key is checked when loaded:
# a typo is an error that names the key. README.md, "config.yaml", lists them all.
#
{openings}

books: books                  # folder of the books (main.beancount inside)
currency: {currency}{currency_pad}# {currency_note}
{timezone}
"""


OPENINGS = """\
# Openings: none here. The first import writes each account's opening balance from
# its first statement (OPBD, :60F:, LEDGERBAL, a running balance) and says so; set
# `opening_balance:` under a source only to override it."""
# ... where a channel's statements state no balance (a personal wallet's bill): the
# import cannot, and its `opening_balance:` is commented under it (blind33 microseller:
# "none here" read as if the import would write the wallet's)
UNOPENED = """\
# Openings: the first import writes each account's opening balance from its
# first statement (OPBD, :60F:, LEDGERBAL, a running balance) and says so; set
# `opening_balance:` under a source only to override it. It cannot for
{names}: {their} statements state no balance, and {their} `opening_balance:`
# (commented below) is yours to write."""


def _openings(survey: Survey) -> str:
    names = [s.name for s in survey.of("channel") if s.unopened]
    if not names:
        return OPENINGS
    text = UNOPENED.format(names=", ".join(names), their="its" if len(names) == 1 else "their")
    lines = []   # (the names run on: the comment wrapped again, every line a comment)
    for word in " ".join(line.removeprefix("# ") for line in text.splitlines()).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= 82:
            lines[-1] += " " + word
        else:
            lines.append("# " + word)
    return "\n".join(lines)


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def said(text: str, limit: int = 70) -> str:
    """Text from a statement, safe inside a comment: one line, bounded."""
    text = re.sub(r"\s+", " ", "".join(ch if ch.isprintable() else " " for ch in text)).strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def line(indent: int, pair: str, comment: str = "") -> str:
    text = " " * indent + pair
    return f"{text.ljust(29)} # {comment}" if comment else text


def config_text(survey: Survey, folder_shown: str) -> str:
    currency = survey.currency
    stated = any(s.currency for s in survey.sources)
    out = [HEADER.format(folder=said(folder_shown, 200), currency=currency,
                         currency_pad=" " * max(1, 20 - len(currency)),
                         currency_note="found: the currency most of your statements are in" if stated
                         else "default: no statement says its currency", timezone=_timezone(survey),
                         openings=_openings(survey))]
    banks = survey.of("bank")
    for group, title in (("channel", "channels:                     # where customers pay"),
                         ("bank", "banks:                        # where the money lands"),
                         ("shop", "shops:                        # where orders are taken")):
        sources = survey.of(group)
        if sources:
            out.append(title)
            for source in sources:
                out += _source(source, survey, currency, banks)
    if not survey.of("channel"):
        out.append("channels: {}                  # none found among the statements")
    out.append("")
    out += _undecided(survey)
    return "\n".join(out) + "\n"


def _timezone(survey: Survey) -> str:
    """The `timezone` line: the zone the statements' own offsets show (setup/zones.py), else
    the default; and that the books keep it."""
    guessed = survey.timezone
    zone, why = guessed or (DEFAULT_TIMEZONE, "")
    said_where = f"found: {said(why, 300)}" if guessed else \
        "default: no statement states its offset"
    return "\n".join([line(0, f"timezone: {zone}", said_where),
                      line(0, "", "dates of UTC timestamps are taken in this zone; once imported, rebuild the books "
                                  "to change it")])


def _files(source: Source) -> list[str]:
    kinds = sorted({kind for _, kind in source.files})
    names = [said(p.name, 60) for p, _ in source.files]
    return [f"    # found: {', '.join(kinds)} in {len(names)} file(s): {', '.join(names[:4])}"
            + (", …" if len(names) > 4 else ""),
            f"    # period: {source.first} to {source.last}" if source.first else "    # period: no dated rows"]


def _currency(source: Source, operating: str, paid_in: Landed | None = None) -> str:
    if source.currency:
        others = f" (also {', '.join(source.others)})" if source.others else ""
        return line(4, f"currency: {source.currency}", f"found in the statements{others}")
    if source.type_currency:
        return line(4, f"currency: {source.type_currency}", f"default of type {source.type}: the statement does not say")
    if paid_in and paid_in.currency:
        return line(4, f"currency: {paid_in.currency}", paid_in.why)
    seen = f"; {paid_in.why}" if paid_in and paid_in.why else ""
    return line(4, f"currency: {operating}", f"default: the statement does not say{seen}; check it")


def _source(source: Source, survey: Survey, operating: str, banks: list[Source]) -> list[str]:
    if source.also:   # one account's statements in several formats (survey._one_account_banks)
        out = [f"  {source.name}:", line(4, f"type: [{', '.join([source.type, *source.also])}]",
                                          "found: statements of one account in each format")]
    else:
        out = [f"  {source.name}:", line(4, f"type: {source.type}",
                                          "guessed from the header: check the columns" if source.columns else
                                          "found: identified by its content")]
    if source.account_id:
        out.append(line(4, f"account_id: {q(source.account_id)}", "found: its statements are of this account"))
    out += _files(source)
    out.append(_currency(source, operating, survey.paid_in(source) if source.group == "bank" else None))
    if source.group == "channel":
        out += _channel(source, survey, banks)
    elif source.group == "bank":
        if source.theirs:   # the books there before keep it (owned.py)
            out.append(line(4, f"account: {source.theirs[0]}", f"found in your books: {said(source.theirs[1], 200)}"))
        else:
            out.append(line(4, f"account: {source.account}", "default: rename it after your account; once imported, in books/ too or rebuild them"))
        if source.columns:
            out.append(line(4, f"date_format: {q(source.date_format)}", "guessed from the first dates: check it"))
            out.append(line(4, "columns:", "guessed from the header names: check these"))
            out += [line(6, f"{role}: {q(header)}") for role, header in source.columns.items()]
    else:
        out.append(line(4, "order_days: 3", "default: an order should be paid within this many days"))
    return out


def _channel(source: Source, survey: Survey, banks: list[Source]) -> list[str]:
    if source.type in WALLET_TYPES:   # its balance the owner's, withdrawn when they like (config reader's default)
        out = [line(4, f"settlement_days: {WALLET_SETTLEMENT_DAYS}", "default of a personal wallet: money still in "
                    "it this many days after it came in (first in, first out) is unsettled; set what you expect")]
    else:
        out = [line(4, f"settlement_days: {SETTLEMENT_DAYS}",
                    "default: money should leave clearing within this many days")]
    seen = survey.payouts(source)
    if seen:
        per = _per_currency(source, survey, banks, seen)
        # a channel paying out in several currencies, seen at banks of some only: the
        # others' payouts will be missing from the books' banks, and this says why
        unseen = sorted({p.currency for p in source.paid} - set(per) - {None}) if per else []
        elsewhere = f"; its payouts in {', '.join(unseen)} are in no bank's lines here" if unseen else ""
        if len(per) > 1:   # README "bank": one bank per currency, `bank: [USD_BANK, EUR_BANK]`
            out.append(line(4, f"bank: [{', '.join(per.values())}]",
                            f"found: its payouts are in these banks' lines, one bank per currency ({', '.join(per)})"
                            + elsewhere))
        else:
            bank = max(seen, key=lambda name: len(seen[name]))
            out.append(line(4, f"bank: {bank}", "found: its payouts are in this bank's lines" + elsewhere))
        for name, texts in seen.items():
            out += [f"    #   payout seen in {name}: {said(t)}" for t in texts[:3]]
    else:
        names = ", ".join(b.name for b in banks) or "none found"
        out.append(f"    # bank: …                 # could not decide: no bank line names a payout of it "
                   f"(banks: {names})")
    out.append(line(4, "bank_days: 2", "default: a payout should reach the bank within this many days"))
    if source.unopened and source.first:   # the import writes none (books/unopened.py)
        out.append(f"    # opening_balance: {{date: {source.first - dt.timedelta(days=1)}, amount: …}}   # could not "
                   f"decide: its statements state no balance; what {_clearing(source)} held at the end of that "
                   "day, before them")
    if source.theirs:   # the books there before keep its balance (owned.py)
        out += [line(4, "accounts:"),
                line(6, f"clearing: {source.theirs[0]}", f"found in your books: {said(source.theirs[1], 200)}")]
    rate, fixed = FEE_EXAMPLES.get(source.type, FEE_EXAMPLES[None])
    currency = source.currency or source.type_currency or survey.currency
    percent = f"{(Decimal(rate) * 100).normalize():f} %" + (f" + {fixed} {currency}" if fixed else "")
    out += ["    # fees:                   # could not decide: the rates you signed, e.g.",
            line(4, f"#   - rate: {rate}", f"{percent}; without them fee-gap has nothing to compare")]
    if fixed:
        out.append(f"    #     fixed: {fixed}")
    return out


def _clearing(source: Source) -> str:
    """The clearing account a channel's config gives it: the books' there before, else the default."""
    return source.theirs[0] if source.theirs else f"{ACCOUNT_ROOTS['clearing']}:{title_of(source.name)}"


def _per_currency(source: Source, survey: Survey, banks: list[Source], seen: dict[str, list]) -> dict[str, str]:
    """Currency -> the bank a channel's payouts reach in it, of the banks whose lines show
    them (survey.payouts): of several of one currency, the one most show; the channel's
    own currency first. One currency (or banks silent on theirs): one bank, as before (two
    of one currency may be an account that moved: `bank: [OLD, NEW]` is the person's to say)."""
    by_name = {b.name: b for b in banks}
    found: dict[str, list[str]] = {}
    for name in sorted(seen, key=lambda n: -len(seen[n])):   # (stable: the survey's order among equals)
        bank = by_name.get(name)
        currency = bank and (bank.currency or bank.type_currency or survey.paid_in(bank).currency)
        if currency:
            found.setdefault(currency, []).append(name)
    own = source.currency or source.type_currency
    return {currency: found[currency][0] for currency in sorted(found, key=lambda c: (c != own, c))}


# A contract's usual shape by channel type, as the example merchant's config.yaml has it:
# a card processor's rate and fixed part (in the channel's currency), else a rate alone.
FEE_EXAMPLES = {"stripe": ("0.029", "0.30"), "paypal": ("0.0349", "0.49"), None: ("0.006", None)}


def to_write(survey: Survey) -> list[str]:
    """The keys config.yaml leaves commented as "could not decide" that only the merchant
    can write: each channel's `fees` (without them fee-gap judges nothing), and its `bank`
    where no bank line names a payout of it (blind32: init's last line named only the
    "default" keys, and a reader who followed it literally left the contract unwritten)."""
    out = []
    for source in survey.of("channel"):
        out.append(f"channels.{source.name}.fees")
        if not survey.payouts(source):
            out.append(f"channels.{source.name}.bank")
        if source.unopened:   # its statements state no balance: the import writes no opening
            out.append(f"channels.{source.name}.opening_balance")
    return out


def _undecided(survey: Survey) -> list[str]:
    out = ["# Could not decide (say it here if it matters to you):",
           "#   - fees: each channel's contract (see the commented `fees:` above)",
           "#   - deadlines: settlement_days, bank_days, order_days above are defaults",
           "#   - rules: what the bank lines that are not payouts are, e.g.",
           "# rules:",
           f"#   - match: {q('房租|租金' if survey.currency == 'CNY' else 'rent')}",
           "#     account: Expenses:Rent"]
    out += ["#", *_checks()]
    if survey.unknown:
        out += ["#", "# Not identified (not imported; add their sources by hand):"]
        out += [f"#   - {said(str(p.relative_to(survey.folder)), 80)}: {said(why, 200)}" for p, why in survey.unknown]
    if survey.left_out:
        out += ["#", "# Left out (no statements: each sums one beside it; import leaves it out):"]
        out += [f"#   - {said(str(p.relative_to(survey.folder)), 80)}" for p, _ in survey.left_out]
    if survey.rates:
        out += ["#", "# Reference rates (imported into books/prices.beancount):"]
        out += [f"#   - {said(str(p.relative_to(survey.folder)), 80)}" for p in survey.rates]
    return out


def _checks() -> list[str]:
    """`checks:` commented, every code at its default severity and limits (findings.py,
    resolve/writeoff.py: what the checks apply while the config says nothing)."""
    from beanclear.checks.findings import DEFAULT_LIMITS, DEFAULT_SEVERITY
    from beanclear.checks.findings import WRITE_OFF_DEFAULTS as WRITTEN_OFF
    out = ["# The checks, each at its default (uncomment a line to change it; README \"Every key\"):",
           "# checks:                     # severity error | warning | off, and the code's limits"]
    for code, severity in DEFAULT_SEVERITY.items():
        keys = [f"severity: {severity}", *(f"{key}: {value}" for key, value in DEFAULT_LIMITS.get(code, {}).items())]
        if code in WRITTEN_OFF:
            account, most = WRITTEN_OFF[code]
            keys.append(f"write_off: {{{f'account: {account}, ' if account else ''}limit: {most}}}")
        out.append(f"#   {code}: {{{', '.join(keys)}}}")
    out.append(line(0, "#   review_threshold: 500", "none: a finding at least this large is an error, whatever its code"))
    return out


# -- the repository around the books ----------------------------------------------------

GITIGNORE = """\
# beanclear: the books' lock and Beancount's cache are local to each checkout
.beanclear.lock
*.picklecache
# beanclear fetch / serve: the last fetch per channel, rewritten on every run
.beanclear-live.json
# beanclear carry: the books from a month on, made from the books (run it again after a pull)
books/since-*.beancount
# beanclear export: the books as tables for BI tools, made from the books
export.sqlite
__pycache__/
.venv/
"""

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com): `pip install pre-commit`, then `pre-commit install` in this
# git repository; every commit then runs `beanclear check` (beanclear on PATH) and fails while an
# error is open, as CI does: resolve or ack it, or `git commit --no-verify` (README: "The workflow").
repos:
  - repo: local
    hooks:
      - id: beanclear-check
        name: beanclear check
        entry: beanclear check
        language: system
        pass_filenames: false
        always_run: true
"""

GITHUB = """\
# GitHub Actions: every push and pull request checks the books.
name: beanclear
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
{replace}      - run: {install}
      - run: beanclear check
"""

GITLAB = """\
# GitLab CI: every push checks the books.
beanclear-check:
  image: python:3.11
  script:
{replace}    - {install}
    - beanclear check
"""

REPLACE = ("# beanclear is not on the package registry: replace the install line below with where\n"
           "# yours comes from, e.g. pip install \"beanclear @ git+https://github.com/you/beanclear@v1\"\n"
           "# (README: \"Starting from your statements\")\n")


def pip_requirement() -> str | None:
    """Where CI gets beanclear: the git repository and commit this one was installed from
    (PEP 610's direct_url.json), the one install a CI runner can repeat. None when it came
    from a folder (an editable checkout), a local repository or an index: beanclear is not
    on the package registry, so the CI files then say to replace their install line."""
    from importlib import metadata
    from urllib.parse import urlparse
    try:
        text = metadata.distribution("beanclear").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    info = json.loads(text) if text else {}
    vcs, url = info.get("vcs_info") or {}, info.get("url", "")
    if vcs.get("vcs") != "git" or urlparse(url).scheme not in ("https", "http", "ssh"):
        return None
    commit = vcs.get("commit_id")   # the very beanclear that wrote the books
    return f"beanclear @ git+{url}@{commit}" if commit else f"beanclear @ git+{url}"


def templates() -> dict[str, str]:
    """The files init writes around the books, the CI files installing beanclear from
    where this one came (pip_requirement), else saying to replace their install line."""
    requirement = pip_requirement()
    # a YAML single-quoted scalar: the requirement's " @ " and "://" stay text
    install = "'pip install " + q(requirement).replace("'", "''") + "'" if requirement else "pip install beanclear"
    replace = "" if requirement else REPLACE
    return {".gitignore": GITIGNORE, ".pre-commit-config.yaml": PRE_COMMIT,
            ".github/workflows/beanclear.yml": GITHUB.format(install=install, replace=_indent(replace, 6)),
            ".gitlab-ci.yml": GITLAB.format(install=install, replace=_indent(replace, 4))}


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line for line in text.splitlines(keepends=True))


def write_templates(directory: Path) -> list[tuple[str, bool]]:
    """Each template file not there yet; one already there is the merchant's: kept.
    Returns (file, written)."""
    out = []
    for name, text in templates().items():
        path = directory / name
        if path.exists():
            out.append((name, False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.append((name, True))
    return out
