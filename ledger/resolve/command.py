"""The resolve commands: thin faces over ledger/resolve/.

    beanclear book REF ACCOUNT [--payee P] [--narration N] [--rule PATTERN]
    beanclear open-items [--search WORDS] [--currency CUR] [--for BANK_REF]
    beanclear link BANK_REF ITEM... [--sent AMOUNT CURRENCY]
    beanclear unlink BANK_REF [--link LINK]
    beanclear write-off CODE REF [--reason R]
    beanclear follow-up CODE REF --owner O --due YYYY-MM-DD [--note N]
    beanclear follow-up CODE REF --done --note N

Every one takes --format text|json. Exit 0 when done or already done (nothing
written), 2 when refused: the message says why, and the books are untouched.
"""

from __future__ import annotations

import json

import click

from beanclear.books.edits import EditError
from beanclear.clikit import _fail, _load, config_option, one_text, refused, since_option
from beanclear.importers.toolkit.places import shown
from beanclear.resolve import Books, ResolveError, act

format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                             show_default=True)


def _run(config_path, fmt, make, since=None):
    """Load the books (`since`: those carried forward to that month), make the plan, write
    it (made anew under the lock where another write came between: resolve.act);
    refusals are exit 2 with why."""
    from beanclear.periods.closing import PeriodError
    config = _load(config_path)
    try:
        plan, written = act(config, make, since)
    except (ResolveError, EditError, PeriodError) as exc:
        if fmt == "json":
            click.echo(json.dumps({"done": False, "error": str(exc)}, ensure_ascii=False))
        raise refused(exc)
    if fmt == "json":
        click.echo(json.dumps(plan.to_json(written), ensure_ascii=False, indent=1))
    else:
        click.echo(plan.message)
        for path in written:
            click.echo(f"  wrote {path}")


@click.command("book")
@config_option
@click.argument("ref")
@click.argument("account")
@click.option("--payee", callback=one_text, help="The payee the line gets.")
@click.option("--narration", callback=one_text, help="The narration the line gets.")
@click.option("--rule", "rule", metavar="PATTERN",
              help="Also add a rule to config.yaml: lines whose payee or memo this regular expression finds "
                   "are booked to ACCOUNT at import; those waiting in suspense already are booked there now.")
@format_option
@since_option
def book(config_path, ref, account, payee, narration, rule, fmt, since):
    """Book the bank line REF (its id or bank reference, as `check` lists it) that nothing explains to ACCOUNT."""
    from beanclear.checks import reconcile
    from beanclear.resolve import booking
    _run(config_path, fmt, lambda c, b: booking.book(c, b.entries, ref, account, payee, narration, rule,
                                                     reconcile.stored_load(b.options, c)), since)


@click.command("open-items")
@config_option
@click.option("--search", help="Only items whose link, ids, amount, date, channel or text hold every word.")
@click.option("--currency", help="Only items in this currency.")
@click.option("--for", "bank_ref", metavar="BANK_REF",
              help="Only the items this bank line may be linked to (of its currency or the amount sent, of its "
                   "direction, not paired with another credit), nearest in amount first: the page's Match by hand.")
@format_option
def open_items(config_path, search, currency, bank_ref, fmt):
    """The open items a bank line could settle: payouts in transit, orders and bills due."""
    from beanclear.checks import reconcile
    from beanclear.resolve import linking
    config = _load(config_path)
    try:
        books = Books.load(config)
        items = linking.open_items(books.entries, config, search, currency,
                                   reconcile.stored_load(books.options, config), bank_ref)
    except ResolveError as exc:
        raise _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps({"items": [linking.item_json(i) for i in items]}, ensure_ascii=False, indent=1))
        return
    for i in items:
        row = linking.item_json(i)
        click.echo(f"{row['date']}  {shown(i.amount, i.currency):>14} {i.currency}  {row['channel']:<10} {row['link']}  {row['text']}")
    click.echo(f"{len(items)} open items")


@click.command("link")
@config_option
@click.argument("bank_ref")
@click.argument("items", nargs=-1)
@click.option("--sent", nargs=2, metavar="AMOUNT CURRENCY",
              help="The amount a credit the bank converted was sent as, where its statement states none (MT940, "
                   "OFX): `--sent 122.12 GBP` links it to a GBP payout in that amount.")
@format_option
@since_option
def link(config_path, bank_ref, items, sent, fmt, since):
    """Match the bank line BANK_REF by hand to the open ITEMS it settles (links or ids)."""
    from beanclear.checks import reconcile
    from beanclear.resolve import linking
    _run(config_path, fmt, lambda c, b: linking.link(c, b.entries, bank_ref, list(items),
                                                     reconcile.stored_load(b.options, c), sent), since)


@click.command("unlink")
@config_option
@click.argument("bank_ref")
@click.option("--link", "link_name", help="Only this link (default: every payout-/order-/bill- link of the line).")
@format_option
@since_option
def unlink(config_path, bank_ref, link_name, fmt, since):
    """Undo a match (by `match --apply`, `link` or a person) or a booking of bank line BANK_REF."""
    from beanclear.resolve import linking
    _run(config_path, fmt, lambda c, b: linking.unlink(c, b.entries, bank_ref, link_name), since)


@click.command("write-off")
@config_option
@click.argument("code")
@click.argument("ref")
@click.option("--reason", callback=one_text,
              help="Why; required above the code's write-off limit, and kept in the books.")
@format_option
@since_option
def write_off(config_path, code, ref, reason, fmt, since):
    """Write off the difference of the CODE finding that names REF, to the code's account."""
    from beanclear.resolve import writeoff
    _run(config_path, fmt, lambda c, b: writeoff.write_off(c, b.entries, b.findings(), code, ref, reason), since)


@click.command("follow-up")
@config_option
@click.argument("code")
@click.argument("ref")
@click.option("--owner", callback=one_text, help="Who follows it up (required unless --done).")
@click.option("--due", help="By when (YYYY-MM-DD; required unless --done); reported as overdue after.")
@click.option("--note", callback=one_text, default="",
              help="What is to be done (with --done: how it was settled).")
@click.option("--done", is_flag=True, help="Mark the follow-up done, with --note.")
@format_option
@since_option
def follow_up(config_path, code, ref, owner, due, note, done, fmt, since):
    """Follow up the CODE finding that names REF: an owner, a due date, a note."""
    from beanclear.resolve import followup

    def make(c, b):
        if done:
            return followup.done(c, b.entries, code, ref, note, findings=b.findings())
        if not owner or not due:
            raise ResolveError("--owner and --due are required (or --done with --note)")
        return followup.follow_up(c, b.entries, b.findings(), code, ref, owner, due, note)
    _run(config_path, fmt, make, since)


COMMANDS = (book, open_items, link, unlink, write_off, follow_up)
