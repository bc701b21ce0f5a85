"""Write off a small difference: a transaction in books/writeoffs.beancount, linked to
what it settles, so the finding is resolved by the books, not hidden.

    2026-01-06 * "beanclear" "write-off payout-mismatch: payout of 9,916.77 CNY arrived …" ^payout-1000…
      write-off: "payout-mismatch"
      settles: "20260105000000004632 1000959334202601050000004631 20260106000006"
      Expenses:Fees:Bank                         0.50 CNY
      Assets:Transit:WeChat                     -0.50 CNY

The difference leaves the account the finding is about (the transit account of a
payout the bank received short; the fee account of a fee above contract; the
receivable of an order paid a little off) for the account configured per code:

    checks:
      payout-mismatch: {write_off: {account: Expenses:Fees:Bank, limit: 10}}

Defaults (DEFAULTS below): payout-mismatch -> Expenses:Fees:Bank (the bank's fee on a
payout), fee-gap -> the channel's fee account (the fee stays a fee: the entry records
that it is accepted), fx-gap -> Expenses:FX, amount-mismatch -> Expenses:Rounding; the
limit is in the finding's currency. An fx-gap's spread is in the rate the channel
applied, in no account's balance: its write-off moves no money, it records the spread,
accepted, on both sides of the FX account (before, it took the amount out of the
conversion's first posting, a fee account). Above the limit a write-off needs a reason: it is
flagged `!`, carries `reason:`, and its finding stays listed as written off above the
limit (state.py). A payout's write-off also links the bank line to the payout.

A write-off settles its finding only where it posts the finding's difference (settles:
the write-offs that name it, together, within the code's tolerance): one edited to
another amount, or a second copy, leaves the account it is about off by the rest, and
the finding stays listed, saying what they post (state.py; blind9: a payout written off
as 500.00 for 0.50, and two copies of one, were silent).

A write-off names its finding by the finding's own refs (own_refs: what `settles:` holds),
not by those it shares with others: the payout a fee-gap's charge went out in, the order
it paid, are refs of every charge of that payout or order. `names` reads a write-off as
naming the finding whose refs hold its first `settles:` ref and whose first ref it holds,
so a write-off an earlier release wrote, every ref of the finding in `settles:`, resolves
its own finding still and no other (blind11: two fee-gaps of one Stripe payout, each
written off, each summed both write-offs and stayed an error).
"""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from beanclear.books import render
from beanclear.books.edits import Edit
from beanclear.checks import acks
from beanclear.checks.findings import relative, to_currency
from beanclear.checks.items import WRITE_OFF, _money
from beanclear.resolve import (RESOLVE_FILE, RESOLVE_HEADER, BadValue, Plan, ResolveError, account_opens,
                               refuse_closed)

META = WRITE_OFF
DEFAULTS = {   # code -> (account, or None for the finding's own account; limit)
    "payout-mismatch": ("Expenses:Fees:Bank", Decimal("10")),
    "fee-gap": (None, Decimal("5")),
    "fx-gap": ("Expenses:FX", Decimal("10")),
    "amount-mismatch": ("Expenses:Rounding", Decimal("1")),
}

CHECK_OF = {"payout-mismatch": "clearing", "fee-gap": "fees", "fx-gap": "fx",   # the check that finds
            "amount-mismatch": "orders"}                                         # each code (reconcile.CHECKS)


def settings(config, code: str, finding) -> tuple[str, Decimal]:
    """The account and limit of a code's write-offs: config first, then the defaults."""
    account, limit = DEFAULTS[code]
    configured = config.checks[code].write_off
    return configured.account or account or finding.account, \
        configured.limit if configured.limit is not None else limit


# The refs a line carries of what it belongs to (items.REF_KEYS): a payout, an order, the
# charge a refund gives back. Every line of that payout or order carries them too, so for a
# finding about one line (a fee, a rate) or one order they are context, not its identity:
# per code, the keys whose refs `settles:` leaves out (a payout-mismatch's identity is the
# payout, and its refs are its lines and the bank's: it keeps them all).
CONTEXT = {"fee-gap": ("payout-id", "order-id", "shop-order-id", "refund-of"),
           "fx-gap": ("payout-id", "order-id", "shop-order-id", "refund-of"),
           "amount-mismatch": ("payout-id",)}
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
    difference: how much, where they are (file:line), the difference."""
    moved = _moved(finding)
    written = sum((posts(e, finding) for e in entries), Decimal(0))
    where = [f"{os.path.basename(str(e.meta.get('filename', '?')))}:{e.meta.get('lineno', '?')}" for e in entries]
    at = where[0] if len(where) == 1 else ", ".join(where[:-1]) + " and " + where[-1]
    which = f"the write-off at {at}" if len(entries) == 1 else f"{len(entries)} write-offs, at {at}"
    shown = -written if moved < 0 else written   # in the difference's direction: a sign turned shows
    return (f" — written off as {_money(shown)} {finding.currency} ({which}), not its difference of "
            f"{_money(abs(moved))} {finding.currency}")


def _moved(finding) -> Decimal:
    """The signed amount the write-off posts to the finding's account."""
    expected, actual = finding.expected, finding.actual
    if finding.code in ("payout-mismatch", "amount-mismatch") and expected is not None and actual is not None:
        return actual - expected
    if finding.code == "fee-gap" and expected is not None and actual is not None:
        return expected - actual
    if finding.code == "fx-gap" and expected is not None and actual is not None and actual > expected:
        return finding.amount
    return -finding.amount


def _later_side(entries, finding):
    """The day the later side of a difference showed it: of the entries the finding's
    refs name (any statement id of theirs), those that move the account it is about, the
    two sides that differ (an order and its payments in the receivable; a payout and its
    bank credit in transit). Not the payout an amount-mismatch's refs name as well: a
    blind tester's order and payment of 02-18 were written off on 02-20, the payout's day."""
    from beanclear.checks.items import refs
    named = set(finding.refs)
    sides = [e.date for e in entries if isinstance(e, data.Transaction)
             and any(p.account == finding.account for p in e.postings) and not named.isdisjoint(refs([e]))]
    return max(sides, default=finding.date)


def write_off(config, entries, findings, code: str, ref: str, reason: str | None = None) -> Plan:
    if code not in DEFAULTS:
        raise BadValue(f"code: a write-off settles one of {', '.join(DEFAULTS)}, got {code!r}")
    listed = [f for f in findings if f.code == code and ref in f.refs]
    mine = list(dict.fromkeys(f.refs[0] for f in listed))
    if len(mine) > 1:   # a ref they share (the payout of two charges): which is meant is no guess
        said = ", ".join(mine[:-1]) + " and " + mine[-1]
        raise ResolveError(f"{code} {ref}: {len(mine)} findings name it ({said}); name one by a ref of its "
                           "own (the first of its refs `beanclear check` lists)")
    offs = write_offs(entries)
    # the finding's own write-off (one of another amount leaves it listed); where the
    # books resolve it and it is listed no more, one that names the ref
    done = (naming(offs, listed[0]) or [None])[-1] if listed else written_off(entries).get((code, ref))
    if done is not None:
        where = relative(done.meta.get("filename"), config.root)
        return Plan(f"{code} {ref} is written off already ({where}:{done.meta.get('lineno')}); "
                    "nothing was written", data={"code": code, "ref": ref}, nothing=True)
    if not listed:
        raise ResolveError(acks.not_named(findings, code, ref, entries, config.root))
    finding = listed[0]
    account, limit = settings(config, code, finding)
    limit = to_currency(limit, finding.currency)
    reason = " ".join((reason or "").split()) or None
    above = finding.amount > limit
    if above and not reason:
        raise ResolveError(f"{code} {ref}: {finding.amount:f} {finding.currency} is above the write-off limit "
                           f"of {limit:f}; give a --reason (it is kept in the books and shown)")
    moved = _moved(finding)
    if not moved:
        raise ResolveError(f"{code} {ref}: no difference to write off")
    named = [e for e in entries if isinstance(e, data.Transaction) and str(e.meta.get("id", "")) in finding.refs]
    # a fee or a rate is accepted the day it was charged (its refs may name the payout
    # that took it, days later: a fee-gap of 03-31 was written off in April); a
    # difference between two sides, the day the later of them showed it
    day = finding.date if code in ("fee-gap", "fx-gap") else _later_side(entries, finding)
    refuse_closed(config, day)
    plan = Plan("", data={"code": code, "ref": ref, "account": account, "amount": f"{abs(moved):f}",
                          "currency": finding.currency, "limit": f"{limit:f}", "above_limit": above})
    links = ()
    if code == "amount-mismatch":   # the order's: its group in the receivable comes back to zero
        links = tuple(sorted({l for e in named for l in e.links if l.startswith("order-")})[:1])
    if code == "payout-mismatch":
        payouts = sorted({l for e in named for l in e.links if l.startswith("payout-")})
        links = tuple(payouts[:1])
        banks = {b.account for b in config.banks.values()}
        for e in named:  # the bank line answers the payout: link it, as `beanclear link` would
            if links and any(p.account in banks for p in e.postings) and links[0] not in e.links:
                plan.edits.append(Edit(e.meta["filename"], e.meta["lineno"], add_links=links))
    head = (f"{day} {'!' if above else '*'} {render.quote('beanclear')} "
            f"{render.quote(f'write-off {code}: {finding.message}')}" + "".join(f" ^{l}" for l in links))
    own = " ".join(own_refs(entries, finding))   # not the refs it shares with others (a payout's)
    meta = [f'  {META}: {render.quote_exact(code)}', f'  settles: {render.quote_exact(own)}']
    if reason:
        meta.append(f"  reason: {render.quote_exact(reason)}")
    if above and finding.source:   # it stays listed (state.py), with the source it was found in
        meta.append(f"  finding-source: {render.quote_exact(finding.source)}")
    counter = account if code == "fx-gap" else finding.account
    postings = [f"  {account:<{render.ACCOUNT_WIDTH}}{render.amount_text(-moved, finding.currency)}",
                f"  {counter:<{render.ACCOUNT_WIDTH}}{render.amount_text(moved, finding.currency)}"]
    block = "\n" + "\n".join([head, *meta, *postings]) + "\n"
    plan.appends[RESOLVE_FILE] = (RESOLVE_HEADER, block, ("acks.beancount", "prices.beancount"))
    plan.appends.update(account_opens(config, entries, account))
    plan.message = (f"{code} {ref}: {abs(moved):,f} {finding.currency} written off to {account}"
                    + (f" (above the limit of {limit:f}: {reason})" if above else ""))
    return plan
