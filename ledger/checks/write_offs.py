"""What the books' write-offs say about findings: which write-offs name a finding (its
own refs, not those it shares with others), what they post of its difference, whether
they settle it. The checks read this during every load (resolutions.py applies it to
the findings); `beanclear write-off` and the page write the entries (resolve/writeoff.py),
and the month report reads them too. Reading them needs nothing of the writer.

    2026-01-06 * "beanclear" "write-off fee-gap: fee of 3.40 USD on ch_1 where the contract says 3.20 USD"
      write-off: "fee-gap"
      settles: "ch_1"
      Expenses:Fees:Stripe                       0.20 USD
      Expenses:Fees:Stripe                      -0.20 USD

names() that write-off for the fee-gap whose refs are ("ch_1", "po_9"): its first
`settles:` ref is one of the finding's, and the finding's first ref is in `settles:`;
not for the fee-gap of another charge of payout po_9.
"""

from __future__ import annotations

import os
import shlex
from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from beanclear.checks.items import WRITE_OFF, _money

META = WRITE_OFF   # the metadata key that makes a transaction a write-off, its value the code
# a write-off that takes back what earlier ones posted, the difference paid since (its
# value their days: resolve/writeoff.py): it settles no finding of its own
REVERSES = "reverses"


# The refs a line carries of what it belongs to (items.REF_KEYS): a payout, an order, the
# charge a refund gives back. Every line of that payout or order carries them too, so for a
# finding about one line (a fee, a rate) or one order they are context, not its identity:
# per code, the keys whose refs `settles:` leaves out (a payout-mismatch's identity is the
# payout, and its refs are its lines and the bank's: it keeps them all).
CONTEXT = {"fee-gap": ("payout-id", "order-id", "shop-order-id", "refund-of"),
           "fx-gap": ("payout-id", "order-id", "shop-order-id", "refund-of"),
           "amount-mismatch": ("payout-id",), "order-unpaid": ("payout-id",)}
_OWN_KEYS = ("id", "trade-id", "refund-id", "bank-ref", "fund-id")   # a line's own ids


def own_refs(entries, finding) -> tuple[str, ...]:
    """The refs of a finding that are its own, for a write-off's `settles:`: its first
    (the line it was found on, the order, the payout) and every other but those its lines
    carry only as context (CONTEXT: the payout a charge went out in, names every charge of
    that payout). The lines are the entries whose `id` is a ref of the finding, but those
    found by a context ref (a payout's own entry, whose id is the charges' payout-id)."""
    keys = CONTEXT.get(finding.code, ())
    refs = tuple(finding.refs)
    if not keys or len(refs) < 2:
        return refs
    named = set(refs)
    lines = [e for e in entries if isinstance(e, data.Transaction) and str(e.meta.get("id", "")) in named]
    context = {str(e.meta[k]) for e in lines for k in keys if e.meta.get(k)}
    own = {str(e.meta[k]) for e in lines if str(e.meta.get("id")) not in context for k in _OWN_KEYS if e.meta.get(k)}
    return refs[:1] + tuple(r for r in refs[1:] if r not in context or r in own)


def _settled(entry) -> list[str]:
    return str(entry.meta.get("settles", "")).split()


def names(entry, finding) -> bool:
    """Whether a write-off names a finding: of its code, its first `settles:` ref one of
    the finding's refs and the finding's first ref among its `settles:` (written, the
    finding's own refs, its first first: own_refs). A ref two findings share (the payout
    of two charges, each with a fee-gap, which a write-off of an earlier release named
    too) names neither by itself."""
    settled = _settled(entry)
    return (bool(settled) and bool(finding.refs) and str(entry.meta.get(META)) == finding.code
            and settled[0] in finding.refs and finding.refs[0] in settled)


def naming(offs: dict, finding) -> list[data.Transaction]:
    """The write-offs of `offs` (write_offs) that name a finding (names), each once, in
    the books' order of its refs."""
    out = {id(e): e for r in finding.refs for e in offs.get((finding.code, r), ()) if names(e, finding)}
    return list(out.values())


def written_off(entries) -> dict[tuple[str, str], data.Transaction]:
    """(code, ref) -> the last write-off entry that names it (write_offs: all of them)."""
    return {key: named[-1] for key, named in write_offs(entries).items()}


def resolved_by(entries, code: str, ref: str) -> data.Transaction | None:
    """The last write-off of `code` that resolved a finding `ref` was one of the refs of,
    as `check` listed them: one its `settles:` holds, or one its settled lines carry as
    context (CONTEXT: the order a fee-gap's charge paid, which own_refs leaves out). A
    finding written off is listed no more, so this is how an action named by any of its
    refs, done again, finds what resolved it (blind24: `write-off fee-gap 1033` twice)."""
    offs = [e for e in entries if isinstance(e, data.Transaction) and str(e.meta.get(META, "")) == code]
    named = [e for e in offs if ref in _settled(e)]
    keys = CONTEXT.get(code, ())
    if named or not keys:
        return named[-1] if named else None
    carriers = {str(e.meta.get("id")) for e in entries if isinstance(e, data.Transaction)
                and any(str(e.meta.get(k, "")) == ref for k in keys)}
    return next((e for e in reversed(offs) if not carriers.isdisjoint(_settled(e))), None)


def write_offs(entries) -> dict[tuple[str, str], list[data.Transaction]]:
    """(code, ref) -> every write-off entry that names it, in the books' order."""
    out: dict[tuple[str, str], list] = defaultdict(list)
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta.get(META):
            for ref in dict.fromkeys(str(entry.meta.get("settles", "")).split()):
                out[(str(entry.meta[META]), ref)].append(entry)
    return out


def posts(entry: data.Transaction, finding) -> Decimal:
    """What a write-off posts of a finding's difference, as _moved says it: what it moves
    on the finding's account (the transit of a payout, the receivable of an order, the
    fee account where the write-off account is another); where both its sides are on one
    account (a fee accepted on the fee account, an fx-gap's spread on Expenses:FX), the
    size of its sides, in the difference's direction. In the finding's currency."""
    mine = [p for p in entry.postings if p.units is not None and p.units.currency == finding.currency]
    if len({p.account for p in mine}) == 1:
        size = sum((p.units.number for p in mine if p.units.number > 0), Decimal(0))
        return -size if _moved(finding) < 0 else size
    return sum((p.units.number for p in mine if p.account == finding.account), Decimal(0))


def settles(entries: list, finding, tolerance: Decimal = Decimal(0)) -> bool:
    """Whether the write-offs that name a finding post its difference, together (one
    split in two by hand that adds up settles it; a second copy does not), within the
    tolerance of its check."""
    return abs(sum((posts(e, finding) for e in entries), Decimal(0)) - _moved(finding)) <= tolerance


def unsettled(entries: list, finding) -> str:
    """What a finding's message adds where its write-offs post another amount than its
    difference: how much, where they are (file:line), the difference. Where nothing is
    owed now (the customer paid what was written off), that they over-settle its account
    and that `write-off` again reverses them; where money came after them (paid_since),
    that `write-off` again books the change (resolve/writeoff.py)."""
    moved = _moved(finding)
    written = sum((posts(e, finding) for e in entries), Decimal(0))
    where = [f"{os.path.basename(str(e.meta.get('filename', '?')))}:{e.meta.get('lineno', '?')}" for e in entries]
    at = where[0] if len(where) == 1 else ", ".join(where[:-1]) + " and " + where[-1]
    which = f"the write-off at {at}" if len(entries) == 1 else f"{len(entries)} write-offs, at {at}"
    shown = -written if moved < 0 else written   # in the difference's direction: a sign turned shows
    # (quoted for the shell: Shopify's `#2001` unquoted is a comment, the command without its REF)
    again = f"`beanclear write-off {finding.code} {shlex.quote(finding.refs[0])}`" if finding.refs else \
        "`beanclear write-off`"
    if not moved:
        it = ("it", "it over-settles") if len(entries) == 1 else ("them", "they over-settle")
        return (f" — written off as {_money(abs(written))} {finding.currency} ({which}), and nothing is owed now: "
                f"{it[1]} {finding.account} by {_money(abs(written))} {finding.currency}; {again} reverses {it[0]}")
    return (f" — written off as {_money(shown)} {finding.currency} ({which}), not its difference of "
            f"{_money(abs(moved))} {finding.currency}" + (f"; {again} books the change" if finding.paid_since else ""))


def over_settled(entries: list, finding) -> Decimal | None:
    """What write-offs post on a finding of no difference (moved nothing: paid in full
    since), the size of the finding; None for one that has a difference."""
    if _moved(finding):
        return None
    return abs(sum((posts(e, finding) for e in entries), Decimal(0)))


def _moved(finding) -> Decimal:
    """The signed amount the write-off posts to the finding's account."""
    expected, actual = finding.expected, finding.actual
    if finding.code in ("payout-mismatch", "amount-mismatch", "order-unpaid") and expected is not None \
            and actual is not None:   # (an order-unpaid's: what was paid of what is owed, nothing)
        return actual - expected
    if finding.code == "fee-gap" and expected is not None and actual is not None:
        return expected - actual
    if finding.code == "fx-gap" and expected is not None and actual is not None and actual > expected:
        return finding.amount
    return -finding.amount
