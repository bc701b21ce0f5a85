"""`beanclear demo`: a quarter of an example merchant's statements, imported and checked.

For the config's sources the demo writes what the merchant would download for
2026-01-01 .. 2026-03-31 (one module per source):

    statements/<wechat>/tradebill-2026-01.csv    交易账单 (bill_type=ALL), one per month   wechat.py
    statements/<wechat>/fundflow-2026-01.csv     资金账单 (basic account), one per month   wechat.py
    statements/<shop>/orders-2026Q1.csv          the Shopify orders the payments pay       shop.py
    statements/<bank>/<bank>-2026Q1.csv          the CNY bank, newest line first           bank.py
    statements/<stripe>/balance_change_from_activity-2026Q1.csv   Stripe (USD)             stripe.py
    statements/<paypal>/activity-2026Q1.csv      PayPal (USD; EUR sales converted)         paypal.py
    statements/<usd bank>/<bank>-2026Q1.xml      CAMT.053, where both pay out              camt.py
    statements/prices/usd-cny.csv, eur-usd.csv   reference rates (`beanclear prices import`) rates.py

then imports them into the books, runs the checks and returns a summary. Everything
comes from one `random.Random(seed)`: the same seed gives the same bytes. With
`problems`, known problems are put in, at least one of every finding code of DESIGN.md
§5 (each yields exactly its finding); without, the checks find nothing at all.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from beancount.core import data

from beanclear.checks import checking

from beanclear import config as config_mod

from beanclear.books import importing, prices
from beanclear.config import ConfigError
from beanclear.demo import bank as bank_mod, camt, paypal, shop as shop_mod, stripe, wechat, wechat_problems
from beanclear.demo.common import END, START, ZERO, Problem, Quarter
from beanclear.demo.rates import Rates
from beanclear.demo.wechat import Till, write_trade_bill
from beanclear.checks.findings import CODES

__all__ = ["START", "END", "Problem", "Till", "write_trade_bill", "write_quarter", "build", "run", "embedded_config"]

MAIN_FIRST_LINE = "; The books of this merchant, kept by beanclear"
MARKER = ".beanclear-demo"              # in a books folder the demo wrote (and may rewrite)
DEMO_FILE = re.compile(r"[a-z][a-z0-9_-]*/((tradebill|fundflow)-\d{4}-\d{2}\.csv|[a-z][a-z0-9_-]*-\d{4}Q[1-4]\.(csv|xml))"
                       r"|prices/[a-z]{3}-[a-z]{3}\.csv")


def _quarter(rng: random.Random, till: Till, channel, bank, problems: bool) -> Quarter:
    q = Quarter(trades=wechat.sales(rng, till))
    if problems:
        shop_mod.inject(rng, q, till)
        wechat_problems.overcharge(rng, q)
        wechat_problems.refund_batch(rng, q, till)
        q.trades.sort(key=lambda t: (t.time, t.refund_id, t.trade_id))
    # With problems, no withdrawal in the last five days: the oldest of that money is `unsettled`.
    wechat.fund(q, till, channel, {END - dt.timedelta(n) for n in range(5)} if problems else set())
    bank_mod.lines(rng, q, bank, problems)
    return q


def write_quarter(q: Quarter, till: Till, channel, bank, statements: Path, holder: str) -> list[tuple[Path, int]]:
    """The WeChat bills, the shop's export (where the channel has a shop) and the bank
    statement of a quarter; (path, rows) of each. benchmarks/bench_checks.py uses it too."""
    files = wechat.write(q, till, channel, statements)
    if channel.shop:
        (statements / channel.shop).mkdir(parents=True)
        orders = statements / channel.shop / "orders-2026Q1.csv"
        files.append((orders, shop_mod.write(orders, q)))
    (statements / bank.name).mkdir(parents=True)
    statement = statements / bank.name / f"{bank.name}-2026Q1.csv"
    bank_mod.write(statement, q, bank, holder)
    return files + [(statement, len(q.bank))]


def _abroad(rng: random.Random, q: Quarter, config, statements: Path, problems: bool) -> list[tuple[Path, int]]:
    """The overseas shop, where the config has it: the Stripe and PayPal channels (USD)
    that pay out to a CAMT.053 bank, and the reference rates; (path, rows) of each file."""
    channels = {c.type: c for _, c in sorted(config.channels.items()) if c.type in ("stripe", "paypal")}
    banks = {config.banks[c.bank].name: config.banks[c.bank] for c in channels.values()
             if c.bank in config.banks and config.banks[c.bank].type == "camt053"}
    rates = Rates(rng)
    files = rates.write(statements / "prices")
    for kind, module, name in (("stripe", stripe, "balance_change_from_activity"), ("paypal", paypal, "activity")):
        if kind in channels:
            rows = module.activity(rng, q, rates, problems) if kind == "paypal" else module.activity(rng, q)
            (statements / channels[kind].name).mkdir(parents=True)
            path = statements / channels[kind].name / f"{name}-2026Q1.csv"
            files.append((path, module.write(path, rows)))
    for bank in banks.values():
        (statements / bank.name).mkdir(parents=True)
        path = statements / bank.name / f"{bank.name}-2026Q1.xml"
        booked = camt.lines(rng, q.usd_bank)
        # With problems, the bank's statement stops a week before the channels': one
        # statement-gap, and the payouts of that week wait rather than go missing.
        until = END - dt.timedelta(days=7) if problems else END
        if problems:
            q.problems.append(Problem("statement-gap", until, (), f"the {bank.name} statement ends {until}, "
                                      "a week before the channels'"))
        files.append((path, camt.write(path, booked, bank.opening.amount if bank.opening else ZERO,
                                       config.title.split()[-1] if config.title else "Merchant", until)))
    return files


# -- the run -----------------------------------------------------------------------------

def embedded_config() -> str:
    """The example merchant: the repository's config.yaml, shipped inside the package."""
    return resources.files("beanclear").joinpath("demo_config.yaml").read_text(encoding="utf-8")


def _prepare(directory: Path | None, config_path: Path):
    if directory is None:
        return config_mod.load(config_path)
    target, text = Path(directory) / "config.yaml", embedded_config()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.read_text(encoding="utf-8") != text:
            raise ConfigError(f"{target}: exists and is not the demo's config; it will not be overwritten "
                              f"(`beanclear demo -c {target}` runs the demo with it)")
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{target}: cannot write the demo's config ({exc})") from None
    return config_mod.load(target)


def _clear(books: Path, statements: Path, root: Path) -> None:
    """Remove the books and statements of an earlier demo; refuse anything else."""
    for folder in (books, statements):
        if folder == root or folder in root.parents or folder.exists() and not folder.is_dir():
            raise ConfigError(f"{folder}: the demo writes a folder here, and this is not one it may replace")
    if books.exists() and any(books.iterdir()):
        main = books / "main.beancount"
        first = main.read_text(encoding="utf-8").split("\n", 1)[0] if main.exists() else MAIN_FIRST_LINE
        if not (books / MARKER).exists() or not first.startswith(MAIN_FIRST_LINE):
            raise ConfigError(f"{books}: these books are not a demo's; they will not be overwritten")
    if statements.exists():
        # the demo writes files, and folders one deep only for them: an empty folder, or a
        # deeper one, is a person's (blind33: rmtree took them with the demo's files)
        odd = [p for p in statements.rglob("*") if (not DEMO_FILE.fullmatch(p.relative_to(statements).as_posix())
                                                    if p.is_file() else
                                                    p.parent != statements or not any(p.iterdir()))]
        if odd:
            raise ConfigError(f"{statements}: holds files the demo did not write ({odd[0].name}); "
                              "it will not be overwritten")
    for folder in (books, statements):
        if folder.exists():
            shutil.rmtree(folder)
    books.mkdir(parents=True)
    (books / MARKER).write_text("Written by `beanclear demo`, which replaces this folder on its next run.\n",
                                encoding="utf-8")


@dataclass
class Demo:
    config: object
    seed: int
    files: list[tuple[Path, int]]
    results: list
    report: checking.Report
    problems: list[Problem]

    def found(self, problem: Problem) -> bool:
        return any(f.code == problem.code and set(problem.ids) <= set(f.refs) for f in self.report.findings)

    def summary(self) -> str:
        def show(path: Path) -> str:
            return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
        config, report = self.config, self.report
        entries = [e for r in self.results for e in r.new]
        txns = sum(isinstance(e, data.Transaction) for e in entries)
        out = [f"beanclear demo: {config.title}, {START} .. {END} (seed {self.seed})", "",
               f"Statements written to {show(config.root / 'statements')}:"]
        out += [f"  {p.relative_to(config.root / 'statements')}: {n:,} rows" for p, n in self.files]
        out += ["", f"Imported into {show(config.books)}: {len(entries):,} entries ({txns:,} transactions, "
                f"{len(entries) - txns:,} balance assertions)"]
        out += ["  " + r.summary().replace(str(config.root) + "/", "") for r in self.results]
        out += ["", f"Known problems put in ({len(self.problems)}):" if self.problems else "No problems put in."]
        out += [f"  {p.code:<22} {p.date}  {p.what} [{', '.join(p.ids)}]: {'found' if self.found(p) else 'NOT FOUND'}"
                for p in sorted(self.problems, key=lambda p: (p.code, p.date))]
        counts = Counter((f.code, f.severity) for f in report.findings)
        out += ["", f"Checks: {report.errors} errors, {report.warnings} warnings, {report.acknowledged} acknowledged"]
        codes = [c for c in CODES if c != "stale-ack"] + sorted({c for c, _ in counts} - set(CODES) | (
            {"stale-ack"} & {c for c, _ in counts}))
        for code in codes:  # every code, found or not: the demo shows what each looks like
            found = {severity: n for (c, severity), n in sorted(counts.items()) if c == code}
            detail = ", ".join(f"{n} {severity}{'s' if n > 1 else ''}" for severity, n in found.items())
            out.append(f"  {code:<22} {sum(found.values()):>3}" + (f"  ({detail})" if detail else ""))
        main, cfg = show(config.books / "main.beancount"), show(config.path)
        out += ["", "Look at it:", f"  {command('fava')} {main}", f"  {command('beanclear')} check -c {cfg}",
                f"  {command('bean-check')} {main}"]
        return "\n".join(out)


def build(directory: Path | None, config_path: Path, seed: int = 7, problems: bool = True,
          step=lambda name: None) -> Demo:
    """Write, import and check the demo; returns everything the summary needs.
    `step(name)` is called as each of its three stages begins (the command's progress)."""
    config = _prepare(directory, config_path)
    channel = next((c for _, c in sorted(config.channels.items()) if c.type == "wechat"), None)
    if channel is None or channel.bank not in config.banks:
        raise ConfigError(f"{config.path.name}: channels: the demo needs a wechat channel with a bank")
    bank, statements = config.banks[channel.bank], config.root / "statements"
    _clear(config.books, statements, config.root)
    step("writing the statements")
    rng = random.Random(seed)
    till = Till(rng, channel.account_id or "1900000109", channel.fees[0] if channel.fees else None)
    quarter = _quarter(rng, till, channel, bank, problems)
    files = write_quarter(quarter, till, channel, bank, statements, config.title.split()[0])
    files += _abroad(rng, quarter, config, statements, problems)
    step("importing them")
    results = importing.run(config, sorted({path.parent for path, _ in files} - {statements / "prices"}))
    for path, _ in files:
        if path.parent.name == "prices":
            prices.import_prices(config, path)
    step("checking the books")
    report = checking.check(config)
    # Beancount caches a slow load beside main.beancount; the demo's books hold only what it wrote.
    (config.books / ".main.beancount.picklecache").unlink(missing_ok=True)
    return Demo(config, seed, files, results, report, quarter.problems)


def run(directory: Path | None, config_path: Path, seed: int = 7, problems: bool = True,
        step=lambda name: None) -> str:
    """`beanclear demo`: write the example merchant's quarter, import it, check it; the summary."""
    return build(directory, config_path, seed, problems, step).summary()


def command(name: str) -> str:
    """How to type a tool the demo names: its name where the shell finds it, else its path
    in the environment beanclear runs in (a venv not activated: `.venv/bin/fava`)."""
    import os
    import shutil
    import sys
    beside = Path(sys.executable).with_name(name)
    if shutil.which(name) or not beside.exists():
        return name
    relative = os.path.relpath(beside)
    return str(beside) if relative.startswith("..") else relative
