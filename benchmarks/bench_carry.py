"""The books from a month on (`beanclear carry`) against the whole books: how long Fava's
load (Beancount's loader with the plugins) takes on each, and whether both find the
same from that month on.

    .venv/bin/python benchmarks/bench_carry.py --out /tmp/large02 [--month 2025-12] [--profile 30]
    .venv/bin/python benchmarks/bench_carry.py --out /tmp/large02 --commands   # report and match

`--out` is a merchant's folder with config.yaml and books/ (a bench_large.py --out, or
any simulated merchant). Each measurement runs in a fresh process (harness.py):

  carry   forward.carry: one load of the whole books, and the ledger written
  whole   Beancount's loader with the plugins on main.beancount, then the report
  since   the same on books/since-MONTH.beancount
  page    Fava over books/since-MONTH.beancount: its load, its income statement (the
          reference), the reconciliation page's first render

and prints each figure with the whole books' load as its reference, and whether the
findings dated from the month on are the same (a digest of code, date, refs, amount).

With --commands, the commands that take --since, each against itself on the whole
books (the ledger carried first, so each --since run finds it up to date):

  report-whole / report-since   `beanclear report MONTH --format json` [--since MONTH]
  match-whole / match-since     `beanclear match --format json` [--since MONTH]: the
                                proposals for the bank lines from the month on

  book-whole / book-since       `beanclear book REF Expenses:Bench [--since MONTH]`: a
                                resolve action, on a bank line nothing explains that
                                the benchmark adds to the month (its month file given
                                back after each run, and at the end)

and whether the report's JSON, those proposals, and the action's edit are the same (a
digest of each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


def child(kind: str, out: Path, month: str) -> dict:
    from beanclear import books
    from beanclear import config as config_mod
    from beanclear.checks import checking
    from beanclear.periods import forward
    config = config_mod.load(out / "config.yaml")
    path = forward.ledger_path(config.books, month)
    if kind == "carry":
        path.unlink(missing_ok=True)
        return harness.timed(kind, lambda: {"lines": _lines(forward.carry(config, month)[0])})
    if kind == "page":   # Fava over the carried books: its load, income statement, the page
        from bench_large import page
        return harness.timed(kind, lambda: page(config, path))
    if kind.startswith(("report-", "match-")):
        return harness.timed(kind, lambda: command(kind, out, month))
    if kind.startswith("book-"):
        return harness.timed(kind, lambda: book(kind, out, month))
    start = dt.date(int(month[:4]), int(month[5:]), 1)

    def work():
        entries, errors, options = books.load(path if kind == "since" else config.books / "main.beancount")
        found = checking.report(entries, errors, config, options).findings
        keys = sorted(repr((f.code, f.date, f.refs, f.amount, f.acknowledged)) for f in found
                      if f.date is None or f.date >= start)
        return {"entries": len(entries), "findings_from": len(keys),
                "digest": hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]}
    return harness.timed(kind, work)


def command(kind: str, out: Path, month: str) -> dict:
    """One run of `beanclear report` or `match` as the command line runs it: the digest of
    the report's JSON, or of the proposals for the bank lines from the month on."""
    from click.testing import CliRunner
    from beanclear import cli
    name, books = kind.split("-")
    args = [name, "-c", str(out / "config.yaml"), *([month] if name == "report" else []), "--format", "json"]
    if name == "match" and books == "whole":   # its proposals of the lines from the month on, as --since shows them
        return _whole_proposals(out, month)
    result = CliRunner().invoke(cli.main, args + (["--since", month] if books == "since" else []))
    if result.exit_code:
        raise SystemExit(result.output)
    shown = json.loads(result.output)["proposals"] if name == "match" else result.output
    return {"shown": len(shown), "digest": hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]}


BENCH_REF = "bench-carry-unexplained"


def _bank_month_file(out: Path, month: str) -> tuple[Path, str]:
    """The month file of the config's first bank, and the line the benchmark adds to it:
    a debit nothing explains, in suspense (what `book` resolves)."""
    from beanclear import config as config_mod
    config = config_mod.load(out / "config.yaml")
    name, bank = next(iter(config.banks.items()))
    line = (f'\n{month}-15 * "bench_carry" "a line nothing explains"\n  id: "{BENCH_REF}"\n'
            f"  {bank.account}  -12.34 {bank.currency}\n  {config.suspense}  12.34 {bank.currency}\n")
    return config.books / name / month[:4] / f"{month}.beancount", line


def book(kind: str, out: Path, month: str) -> dict:
    """One `beanclear book` of the benchmark's line (commands() adds it), on the whole
    books or with --since; its month file given back after it."""
    from click.testing import CliRunner
    from beanclear import cli
    path, _ = _bank_month_file(out, month)
    before = path.read_bytes()
    args = ["book", "-c", str(out / "config.yaml"), BENCH_REF, "Expenses:Bench"]
    try:
        result = CliRunner().invoke(cli.main, args + (["--since", month] if kind.endswith("since") else []))
        if result.exit_code:
            raise SystemExit(result.output)
        edited = path.read_bytes()
    finally:
        path.write_bytes(before)
    return {"shown": 1, "digest": hashlib.sha256(edited).hexdigest()[:16]}


def _whole_proposals(out: Path, month: str) -> dict:
    from beanclear import books, matching
    from beanclear import config as config_mod
    config = config_mod.load(out / "config.yaml")
    entries, _, _ = books.load(config.books / "main.beancount")
    start = dt.date(int(month[:4]), int(month[5:]), 1)
    shown = [p.to_json() for p in matching.match(entries, config) if any(l.date >= start for l in p.lines)]
    return {"shown": len(shown), "digest": hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]}


def commands(out: Path, month: str, timeout: float) -> None:
    """report, match and book, each on the whole books and with --since (module docstring)."""
    carried = harness.measure(__file__, "carry", out, timeout, "--month", month)
    harness.show(carried, "(the ledger the --since runs find up to date)")
    path, line = _bank_month_file(out, month)
    text = path.read_bytes()
    try:
        for name in ("report", "match", "book"):
            if name == "book":   # (in the month: the carried ledger stays up to date)
                path.write_bytes(text + line.encode())
            _measure_command(name, out, month, timeout)
    finally:
        path.write_bytes(text)


def _measure_command(name: str, out: Path, month: str, timeout: float) -> None:
    """One command on the whole books, then with --since: the ratio, and whether both say the same."""
    whole = harness.measure(__file__, f"{name}-whole", out, timeout, "--month", month)
    harness.show(whole)
    since = harness.measure(__file__, f"{name}-since", out, timeout, "--month", month)
    harness.show(since, harness.ratio(since, whole, f"{name} on the whole books"))
    print(harness.ratio_line(f"{name} --since {month}", since["cpu"], f"{name} on the whole books", whole["cpu"]))
    what = {"match": "proposals", "report": "characters", "book": "edit"}[name]
    print(f"{name} from {month} on: the same: {since['digest'] == whole['digest']} ({whole['shown']:,} {what})",
          flush=True)
    if since["digest"] != whole["digest"]:
        raise SystemExit(f"{name} --since {month} differs from the whole books'")


def _lines(path: Path) -> int:
    with open(path, encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def last_month(books: Path) -> str:
    from beanclear.periods.closed import month_files
    return month_files(books)[-1][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="a merchant's folder: config.yaml and books/")
    parser.add_argument("--month", help="YYYY-MM (default: the books' last month)")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds allowed per measurement")
    parser.add_argument("--commands", action="store_true", help="measure report, match and book with --since against "
                        "the whole books instead of the loads")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    harness.add_profile_flag(parser)
    args = parser.parse_args()
    harness.use_profile(args)
    out = args.out.resolve()
    month = args.month or last_month(out / "books")
    if args.child:
        print(json.dumps(child(args.child, out, month)))
        return
    print(f"The books of {out} from {month} on, against the whole books; CPU seconds.", flush=True)
    if args.commands:
        commands(out, month, args.timeout)
        return
    carried = harness.measure(__file__, "carry", out, args.timeout, "--month", month)
    harness.show(carried)
    whole = harness.measure(__file__, "whole", out, args.timeout, "--month", month)
    harness.show(whole, "Fava's load of the whole books, and the report")
    since = harness.measure(__file__, "since", out, args.timeout, "--month", month)
    harness.show(since, f"{harness.ratio(since, whole, 'the whole books')}")
    print(harness.ratio_line(f"load from {month} on", since["cpu"], "the whole books' load", whole["cpu"]))
    shown = harness.measure(__file__, "page", out, args.timeout, "--month", month)
    harness.show(shown, "Fava over the books from the month on")
    print(harness.ratio_line("the page's first render", shown["first_cpu"], "Fava's income statement",
                             shown["income_cpu"], "<= 1.5"))
    print(harness.ratio_line("carry (once per stale ledger)", carried["cpu"], "the whole books' load", whole["cpu"]))
    same = since["digest"] == whole["digest"]
    print(f"findings from {month} on: whole {whole['findings_from']:,}, carried {since['findings_from']:,}; "
          f"the same: {same}", flush=True)
    if not same:
        raise SystemExit("the books carried forward judge the month differently from the whole books")


if __name__ == "__main__":
    main()
