"""A source taken out of config.yaml while the books still include its statements.

A merchant going back to hand entries for PayPal removes `channels.paypal`; books/paypal
stays, and main.beancount's `include "paypal/*/*.beancount"` with it. The money those
files hold on Assets:Clearing:PayPal and Assets:Transit:PayPal is still in the books, but
the checks judge only the accounts the config names: May's open payout-mismatch (a
withdrawal of 1,598.49 that reached the bank as 1,595.99) vanished from `check` and from
May's report, PayPal's row with it, and nothing said why (blind9). A bank or a shop the
same: its statements in the books, nothing reads them as its.

One cause, one message: the include line that brings them in, the folder, the source the
coverage records name (beanclear's own record of each statement imported for it), the
days they cover, and the two ways out: the source back in the config (its books are
judged again), or its statements out of the books. Every command that loads the config
says it first, exit 2, as for an account renamed in the config only (renamed.py); the
checks plugin says it as an error at that include line, so `bean-check` and Fava fail
on it too.

Only what beanclear imported is judged: month files (`<folder>/<YYYY>/<YYYY-MM>.beancount`)
that the books include and whose coverage records name a source the config does not. A
folder of a person's own month files holds no coverage record; a folder whose include
line was taken out is not in the books. Every command asks: the usual books, whose
folders are all named in the config, cost one listing of their month files.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from beanclear.books import included
from beanclear.books.lines import COVERAGE_BLOCK
from beanclear.books.renamed import adopted, imported_lines

# which part of the config the source was, from the accounts its entries post to (their default roots)
_KINDS = (("channels", re.compile(r"^[ \t]+Assets:Clearing:", re.M)),
          ("shops", re.compile(r"^[ \t]+Assets:Receivable:", re.M)))


def dropped(config, main: Path | None = None) -> list[str]:
    """What to say of each source the books (`main`, default the config's main.beancount)
    hold statements of that config.yaml names no more: `file:line: what`."""
    return [f"{path}:{line}: {said}" for path, line, said in found(config, main)]


def found(config, main: Path | None = None) -> list[tuple[Path, int, str]]:
    """(the including file, its include line, what to say) of each such source."""
    from beanclear.periods.closed import is_month_file
    root = Path(os.path.normpath(config.books))
    named = set(config.sources)
    folders = {p.parent.parent for p in root.glob("*/[0-9][0-9][0-9][0-9]/*.beancount")
               if p.parent.parent.name not in named and is_month_file(root, p)}
    if not folders:
        return []
    # each file the books include -> (the file, the line) of the include that first names it;
    # a month file is not read for includes: beanclear writes none there
    includers = {path: (by, line) for path, by, line in included.includes(
        Path(main or root / "main.beancount"), lambda path: [path.read_text(encoding="utf-8", errors="replace")],
        lambda path: not is_month_file(root, path)) if by is not None}
    out = []
    adopted_books = None
    for folder in sorted(folders):
        spans: dict[str, list[str]] = {}   # source -> [first day, last day] of its coverage records
        where: dict[str, Path] = {}        # source -> its first month file
        kind, held = "banks", set()
        for path in sorted(p for p in includers if p.parent.parent == folder and is_month_file(root, p)):
            text = path.read_text(encoding="utf-8", errors="replace")
            held.update(account for account, _, what in imported_lines(text.splitlines())
                        if what != "balance" and account.startswith("Assets:"))
            for record in COVERAGE_BLOCK.finditer(text):
                last, first = record["last"], record["first"]
                source = re.sub(r"\\(.)", r"\1", record["source"])
                if source in named:
                    continue
                where.setdefault(source, path)
                span = spans.setdefault(source, [first, last])
                span[:] = [min(span[0], first), max(span[1], last)]
            if spans and kind == "banks":
                kind = next((k for k, posting in _KINDS if posting.search(text)), kind)
        if not spans:
            continue
        if adopted_books is None:
            adopted_books = adopted(config)
        # the money no check judges: what its entries hold on accounts the config names nowhere
        unjudged = ", ".join(sorted(held - set(config.accounts())))
        for source, (first, last) in sorted(spans.items()):
            including, line = includers[where[source]]
            yaml = config.path.name
            out.append((including, line,
                        f"includes {folder}, the statements imported for {source} ({first} to {last}), a source "
                        f"{yaml} names no more: no check judges the money they hold"
                        f"{f' on {unjudged}' if unjudged else ''}. Put {source} back under `{kind}:` in {yaml} "
                        f"(its books are judged again, and what you book by hand on its accounts with them), "
                        f"or {_without(config, source, folder, unjudged, adopted_books)}"))
    return out


def _without(config, source: str, folder: Path, unjudged: str, adopted: bool) -> str:
    """The other way out: the books without the source's statements. Books beanclear
    wrote alone are rebuilt without them: what other statements booked to its accounts
    (the bank lines of a channel's payouts) then waits in suspense, judged. Books holding
    files of the merchant's own are never removed (renamed.adopted): its folder and the
    include line go, and what other files hold on its accounts is the merchant's to book."""
    if adopted:
        rest = f" (what other files hold on {unjudged} is then yours to book)" if unjudged else ""
        return f"take its statements out of the books: remove {folder} and this include line{rest}"
    rebuild = (f"rm -rf {shlex.quote(str(config.books))} && beanclear import -c {shlex.quote(str(config.path))} "
               f"<your statements but {source}'s>")
    return f"rebuild the books without its statements: `{rebuild}`"
