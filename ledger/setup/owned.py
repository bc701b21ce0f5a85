"""Books there before `init` (a person's own ledger, README "Books you keep already"):
which of their accounts is a source's, so that the config names it and the import
opens no second account of the same money.

Their books keep the bank as `Assets:CN:ICBC:Checking`, 12,809.33 CNY on it at the end
of 14 December; the bank's first statement says the account held 12,809.33 CNY then.
A config naming the default `Assets:Bank:ICBC` would open that account at 12,809.33
from equity: the money twice, every balance holding. So a bank's `account:` (a
channel's clearing account, `accounts: {clearing: …}`) is, of the Assets accounts
their files open:

1. the one that holds, at the end of the day before the source's first statement,
   exactly the opening that statement implies (not zero: an empty account tells
   nothing); else
2. the only one whose name has the source type's title as a part (`ICBC`, `WeChat`:
   `Assets:CN:WeChat:Balance`), where the statements are of one source of that type —
   a guess, said as one: its opening is then what their files lack of it ("less …
   the books held already").

An account goes to one source at most. None found: the default, as for new books.
Books beanclear has imported into already (a month file of a source: `init --force`)
keep the names they were written with; init names no account of them.
"""

from __future__ import annotations

from pathlib import Path

from beanclear.config.model import TITLES
from beanclear.setup import probe
from beanclear.setup.survey import Source, Survey


def find(survey: Survey, main: Path) -> None:
    """Set `theirs` on the banks and channels of `survey` whose account the books of
    `main` (their main.beancount, if there) keep already."""
    if not main.is_file() or any(main.parent.glob("*/[0-9][0-9][0-9][0-9]/[0-9][0-9][0-9][0-9]-[0-9][0-9].beancount")):
        return   # no books, or books beanclear imported into already: their names stay (books/renamed.py)
    skip = set(main.parent.glob("*/*/*.beancount"))   # where the sources' month files go: beanclear's (Books.held)
    from beanclear.books import OPEN_LINE, included
    assets = sorted({account for path in included.files(main) if path not in skip
                     for account in OPEN_LINE.findall(path.read_text(encoding="utf-8"))
                     if account.startswith("Assets:")})
    if not assets:
        return
    taken: set[str] = set()
    sources = survey.of("bank") + survey.of("channel")
    for source in sources:
        found = _holding(source, survey, main, skip, assets, taken) or _named(source, sources, assets, taken)
        if found:
            source.theirs = found
            taken.add(found[0])


def _holding(source: Source, survey: Survey, main: Path, skip: set, assets: list, taken: set):
    """(account, why) of the one account of theirs holding the source's opening, or None."""
    if source.opening is None or not source.opening[2]:
        return None
    from beanclear.books import included
    day, currency, amount = source.opening
    if currency == probe.UNSTATED:   # as the config will say it (writer._currency)
        currency = source.currency or source.type_currency or (
            survey.paid_in(source).currency if source.group == "bank" else None) or survey.currency
    held = included.held(main, {(account, currency): day for account in assets if account not in taken}, skip)
    equal = [account for (account, _), number in held.items() if number == amount]
    if len(equal) != 1:
        return None
    return equal[0], (f"it holds {amount:f} {currency} at the end of {day}, what the statement says the "
                      "account held then")


def _named(source: Source, sources: list[Source], assets: list, taken: set):
    """(account, why) of the one account of theirs named after the source's type, or None."""
    title = TITLES.get(source.type, source.type)
    if sum(s.type == source.type for s in sources) > 1:
        return None   # two accounts of one type: which is which, only their numbers say
    named = [account for account in assets if account not in taken
             and title.casefold() in (part.casefold() for part in account.split(":")[1:])]
    if len(named) != 1:
        return None
    return named[0], f"its name says {title}: check it"


def said(source: Source) -> str:
    """init's line for a source whose account the books keep already."""
    key = "account" if source.group == "bank" else "accounts.clearing"
    group = "banks" if source.group == "bank" else "channels"
    account, why = source.theirs
    return (f"  your books keep {account} ({why}): {group}.{source.name}.{key} names it, so that its money is "
            "not opened a second time")
