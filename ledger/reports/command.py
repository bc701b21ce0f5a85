"""`beanclear report YYYY-MM [--format text|json|xlsx|pdf] [-o FILE] [--since YYYY-MM]`:
the month's reconciliation report. Text and JSON go to stdout (or FILE); XLSX and PDF
are files, so they need `-o`. Bad period, a month without books, xlsx/pdf without -o,
a --since after the period, or -o naming a file the report must not replace (among the
books, config.yaml, a file not a report: reports/output.py): exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import click

from beanclear.clikit import _fail, _load, config_option, steps
from beanclear.config.books_folder import not_an_output
from beanclear.periods.closing import PeriodError as CarryError
from beanclear.reports import period as period_mod
from beanclear.reports import output, render

FORMATS = ("text", "json", "xlsx", "pdf")


@click.command("report")
@config_option
@click.argument("period")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The file to write (required for xlsx, pdf).")
@click.option("--since", metavar="YYYY-MM", help="Only the books from that month on, not after PERIOD "
              "(books/since-YYYY-MM.beancount, carried forward first unless up to date): far faster on long "
              "books; the same report as the whole books give, a bank's statement read back from the month "
              "files before it where it is older.")
def report(config_path, period, fmt, output, since):
    """The reconciliation report of the month PERIOD (YYYY-MM): per bank, statement vs
    books vs open items; per channel, sales, refunds, fees, FX, settled, in transit;
    the month's findings, open, acknowledged or resolved."""
    if fmt in ("xlsx", "pdf") and not output:
        raise _fail(f"--format {fmt} writes a file: name it with -o FILE")
    try:
        period_mod.month_of(period)  # a malformed period fails before the books load
        config = _load(config_path)
        if not (config.books / "main.beancount").is_file():
            raise _fail(f"no books at {config.books / 'main.beancount'}")
        if output:
            _writable(config, fmt, Path(output))
        with steps("beanclear report", 3 if since else 2) as step:
            built = period_mod.build(config, period, since, step)
    except (period_mod.PeriodError, CarryError) as exc:
        raise _fail(str(exc))
    if fmt in ("text", "json"):
        text = render.to_text(built) if fmt == "text" else render.to_json(built)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
        return
    from beanclear.reports import pdf, xlsx  # only these need reportlab / openpyxl loaded
    try:
        (xlsx if fmt == "xlsx" else pdf).write(built, Path(output))
    except OSError as exc:
        raise _fail(f"{output}: {exc.strerror or exc}")
    click.echo(f"wrote {output}", err=True)


def _writable(config, fmt: str, path: Path) -> None:
    """Exit 2, nothing written, where -o names a file the report must not replace
    (reports/output.py)."""
    why = not_an_output(config, path)
    if why is None and not output.replaceable(fmt, path):
        why = (f"holds something other than a {fmt} report beanclear wrote; beanclear replaces only its own "
               "report: remove the file or name another")
    if why:
        raise _fail(f"-o {path}: {why}; nothing written")
