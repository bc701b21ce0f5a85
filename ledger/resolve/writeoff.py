"""Write off a small difference: a transaction in books/writeoffs.beancount, linked to
what it settles, so the finding is resolved by the books, not hidden.

    2026-01-06 * "beanclear" "write-off payout-mismatch: payout of 9,916.77 CNY arrived …" ^payout-1000…
      write-off: "payout-mismatch"
      settles: "20260105000000004632 1000959334202601050000004631 20260106000006"
      written-off-by: "alice"
      Expenses:Fees:Bank                         0.50 CNY
      Assets:Transit:WeChat                     -0.50 CNY

The difference leaves the account the finding is about (the transit account of a
payout the bank received short; the fee account of a fee above contract; the
receivable of an order paid a little off) for the account configured per code:

    checks:
      payout-mismatch: {write_off: {account: Expenses:Fees:Bank, limit: 10}}

Defaults (DEFAULTS below): payout-mismatch -> Expenses:Fees:Bank (the bank's fee on a
payout), fee-gap -> the channel's fee account (the fee stays a fee: the entry records
that it is accepted), fx-gap -> Expenses:FX, amount-mismatch -> Expenses:Rounding,
order-unpaid -> the shop's sales account; the limit is in the finding's currency. An
fx-gap's spread is in the rate the channel applied, in no account's balance: its
write-off moves no money, it records the spread, accepted, on both sides of the FX
account (before, it took the amount out of the conversion's first posting, a fee
account). Above the limit a write-off needs a reason: it is flagged `!`, carries
`reason:`, and its finding stays listed as written off above the limit (state.py). A
payout's write-off also links the bank line to the payout.

An order nobody paid, cancelled in the shop (blind32: Shopify's #2015 booked `paid`, then
`voided`), is written off whole: its receivable back to zero against the sale, with the
order's link, so the receivable check sees it answered. Its limit is 0: taking a sale out
of the books always asks a reason, and the finding stays listed, acknowledged, with it
(`checks.order-unpaid.write_off.limit` raises it):

    2026-10-05 ! "beanclear" "write-off order-unpaid: order #2015 of 236.74 CNY on …" ^order-2015
      write-off: "order-unpaid"
      settles: "#2015"
      reason: "cancelled by the customer, never paid"
      finding-source: "shopify"
      written-off-by: "alice"
      Income:Sales:Shopify                     236.74 CNY
      Assets:Receivable:Shopify               -236.74 CNY

A write-off of any other code is refused, saying what resolves that code instead (INSTEAD).

A write-off settles its finding only where it posts the finding's difference (settles:
the write-offs that name it, together, within the code's tolerance): one edited to
another amount, or a second copy, leaves the account it is about off by the rest, and
the finding stays listed, saying what they post (checks/resolutions.py; blind9: a payout written off
as 500.00 for 0.50, and two copies of one, were silent). Where money came after them
(the customer paid the written-off difference after all: blind29), writing off again
books the change, dated that day: their reversal, or its part (_change, `reverses:`).

How the books' write-offs are read (checks/write_offs.py, during every load): a
write-off names its finding by the finding's own refs (own_refs: what `settles:` holds),
not by those it shares with others: the payout a fee-gap's charge went out in, the order
it paid, are refs of every charge of that payout or order. `names` reads a write-off as
naming the finding whose refs hold its first `settles:` ref and whose first ref it holds,
so a write-off an earlier release wrote, every ref of the finding in `settles:`, resolves
its own finding still and no other (blind11: two fee-gaps of one Stripe payout, each
written off, each summed both write-offs and stayed an error).
"""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data

from beanclear.books import render
from beanclear.books.edits import Edit
from beanclear.checks import acks
from beanclear.checks.findings import WRITE_OFF_DEFAULTS, relative, to_currency
from beanclear.clock import who
from beanclear.checks.findings import limit as check_limit
from beanclear.importers.toolkit.places import shown
from beanclear.checks.write_offs import (META, REVERSES, _moved, naming, own_refs, posts, resolved_by, settles,
                                        unsettled, write_offs)
from beanclear.resolve import (RESOLVE_FILE, RESOLVE_HEADER, BadValue, Plan, ResolveError, account_opens,
                               refuse_closed)

DEFAULTS = WRITE_OFF_DEFAULTS   # code -> (account, or None for the finding's own account; limit)
BY = "written-off-by"           # (the decisions of acks.beancount name theirs: directives.DECIDED_BY)

CHECK_OF = {"payout-mismatch": "clearing", "fee-gap": "fees", "fx-gap": "fx",   # the check that finds
            "amount-mismatch": "orders", "order-unpaid": "orders"}               # each code (reconcile.CHECKS)

# What resolves a finding of each code a write-off does not settle: its refusal says it
# (blind32: "a write-off settles one of …", and nothing of what to do instead). `{ref}`
# is the REF typed, quoted for the shell.
FOLLOW = "till then `beanclear follow-up {code} {ref} --owner … --due YYYY-MM-DD`"
INSTEAD = {
    "payment-without-order": "the shop's export that holds the order, imported, resolves it; where the payment is no "
                             "order's, `beanclear ack {code} {ref} --reason \"…\"`",
    "duplicate-charge": "refund the second charge: the channel's refund, imported, resolves it; " + FOLLOW,
    "refund-unsynced": "the refund the other side lacks (in the shop's export or the channel's statement), imported, "
                       "resolves it; " + FOLLOW,
    "unsettled": "the channel's statement with the payout of that money, imported, resolves it; " + FOLLOW,
    "payout-missing": "the bank statement with its credit, imported and linked to the payout (`beanclear match "
                      "--apply`, or `beanclear link BANK_REF` the payout), resolves it; " + FOLLOW,
    "bank-unmatched": "`beanclear book {ref} ACCOUNT` books the line, or `beanclear link {ref} ITEM…` ties it to what "
                      "it settles (`beanclear open-items --for {ref}` lists them)",
    "refund-rate": "it is a rate, in no account's balance: `beanclear ack {code} {ref} --reason \"…\"` once understood",
    "refund-surge": "it is a pattern, in no account's balance: `beanclear ack {code} {ref} --reason \"…\"` once "
                    "understood",
    "statement-gap": "the statement of those days, imported (or `beanclear fetch`), resolves it; where nothing moved "
                     "on them, `beanclear ack {code} {ref} --reason \"…\"`",
    "stale-ack": "delete the acknowledgment it names from books/acks.beancount",
    "beancount": "correct the books where it points, or import the statement it says is missing",
}


def settings(config, code: str, finding) -> tuple[str, Decimal]:
    """The account and limit of a code's write-offs: config first, then the defaults (an
    order-unpaid's: the sales account of the shop it was found in)."""
    account, limit = DEFAULTS[code]
    configured = config.checks[code].write_off
    shop = config.shops.get(finding.source) if code == "order-unpaid" else None
    return configured.account or account or (shop.accounts.sales if shop is not None else finding.account), \
        configured.limit if configured.limit is not None else limit


def not_written_off(code: str, ref: str) -> str:
    """The refusal of a write-off of a code it does not settle: what does, for that code."""
    import shlex
    known = f"a write-off settles one of {', '.join(DEFAULTS)}"
    if code not in INSTEAD:
        return f"code: {known}, got {code!r}"
    return f"code: {code} is not written off ({known}): " + INSTEAD[code].format(code=code, ref=shlex.quote(ref))


def _needs_reason(code: str, ref: str, amount: Decimal, currency: str, limit: Decimal, account: str) -> str:
    """The refusal of a write-off above its limit without a reason; of a limit of 0 (an
    order-unpaid's: a sale taken out of the books), that every write-off of the code asks one."""
    money = f"{shown(amount, currency)} {currency}"
    said = (f"{money} is above the write-off limit of {shown(limit, currency)}" if limit else
            f"a write-off of {code} asks a reason whatever its amount ({money} to {account})")
    return f"{code} {ref}: {said}; give a --reason (it is kept in the books and shown)"


def _later_side(entries, finding):
    """The day the later side of a difference showed it: of the entries the finding's
    refs name (any statement id of theirs), those that move the account it is about, the
    two sides that differ (an order and its payments in the receivable; a payout and its
    bank credit in transit). Not the payout an amount-mismatch's refs name as well: a
    blind tester's order and payment of 02-18 were written off on 02-20, the payout's day;
    nor another order's payment that payout paid out too, which its refs name by that
    payout (own_refs: the finding's own; blind29's #2001 of 01-20 was written off on the
    day of the payout's last charge, and a payment of its difference after that day was
    taken for one before the write-off)."""
    from beanclear.checks.items import refs
    named = set(own_refs(entries, finding))
    sides = [e.date for e in entries if isinstance(e, data.Transaction)
             and any(p.account == finding.account for p in e.postings) and not named.isdisjoint(refs([e]))]
    return max(sides, default=finding.date)


def write_off(config, entries, findings, code: str, ref: str, reason: str | None = None) -> Plan:
    if code not in DEFAULTS:
        raise BadValue(not_written_off(code, ref))
    listed = [f for f in findings if f.code == code and ref in f.refs]
    mine = list(dict.fromkeys(f.refs[0] for f in listed))
    if len(mine) > 1:   # a ref they share (the payout of two charges): which is meant is no guess
        said = ", ".join(mine[:-1]) + " and " + mine[-1]
        raise ResolveError(f"{code} {ref}: {len(mine)} findings name it ({said}); name one by a ref of its "
                           "own (the first of its refs `beanclear check` lists)")
    offs = write_offs(entries)
    # the finding's own write-off (one of another amount leaves it listed); where the
    # books resolve it and it is listed no more, one that names the ref
    named = naming(offs, listed[0]) if listed else []
    if named and not settles(named, listed[0], check_limit(config, "fee-gap", "tolerance") if code == "fee-gap"
                             else Decimal(0)):
        if changes(listed[0]):   # paid since: the change, the write-off's reversal where nothing is owed now
            return _change(config, entries, listed[0], named, ref, reason)
        # one edited by hand to another amount, or a second copy: another write-off would
        # add a third amount (blind14: "written off already", exit 0, while check listed it)
        said = unsettled(named, listed[0]).removeprefix(" — ")
        raise ResolveError(f"{code} {ref} is {said}: correct that entry, or delete the copy; nothing was written")
    done = named[-1] if named else None if listed else resolved_by(entries, code, ref)
    if done is not None:
        at = f"{relative(done.meta.get('filename'), config.root)}:{done.meta.get('lineno')}"
        # (round 29: after its reversal, "written off already" said the opposite of the books)
        said = (f"was written off, and the write-off reversed on {done.date} when the money came ({at}): nothing "
                "is owed" if done.meta.get(REVERSES) else f"is written off already ({at})")
        return Plan(f"{code} {ref} {said}; nothing was written", data={"code": code, "ref": ref}, nothing=True)
    if not listed:
        raise ResolveError(acks.not_named(findings, code, ref, entries, config.root))
    finding = listed[0]
    account, limit = settings(config, code, finding)
    limit = to_currency(limit, finding.currency)
    reason = " ".join((reason or "").split()) or None
    above = finding.amount > limit
    if above and not reason:
        raise ResolveError(_needs_reason(code, ref, finding.amount, finding.currency, limit, account))
    moved = _moved(finding)
    if not moved:
        raise ResolveError(f"{code} {ref}: no difference to write off")
    plan = _plan(config, entries, finding, ref, moved, account, limit, above, reason)
    plan.message = (f"{code} {ref}: {abs(moved):,f} {finding.currency} written off to {account}"
                    + (_above_said(limit, reason) if above else ""))
    return plan


def _above_said(limit: Decimal, reason: str) -> str:
    """What a write-off above its limit adds to what it says: the limit, and the reason
    (the reason only, of a limit of 0: every write-off of the code is above it)."""
    return f" (above the limit of {limit:f}: {reason})" if limit else f" ({reason})"


def changes(finding) -> bool:
    """Whether `write-off` again books the change of a finding its write-offs do not
    settle: money came after them (blind29: the customer paid the difference after all),
    or nothing is owed now; not a write-off a person edited to another amount, or copied
    (the refusal says to correct it: a third amount would not)."""
    return finding.paid_since or not _moved(finding)


def _change(config, entries, finding, named: list, ref: str, reason: str | None) -> Plan:
    """The change of what the write-offs naming a finding post (`named`) to its difference
    now, dated the day the money since came (the later side's): their reversal where the
    difference was paid in full, part of it where in part. Of a closed month's write-off
    too, in the open month: the closed month stays as it was. What it takes back asks no
    reason; more written off, the code's limit holds as for any write-off."""
    code = finding.code
    posted = sum((posts(e, finding) for e in named), Decimal(0))
    rest = _moved(finding) - posted
    account, limit = settings(config, code, finding)
    limit = to_currency(limit, finding.currency)
    back = (rest > 0) != (posted > 0)
    reason = " ".join((reason or "").split()) or None
    above = not back and abs(rest) > limit
    if above and not reason:
        raise ResolveError(_needs_reason(code, ref, abs(rest), finding.currency, limit, account)
                           .replace(" is above", " more is above", 1))
    said = finding.message.partition(unsettled(named, finding))[0]   # (the check's own words, as the first one's)
    plan = _plan(config, entries, finding, ref, rest, account, limit, above, reason,
                 narration=f"write-off {code}{' reversed' if back else ''}: {said}",
                 reverses=" ".join(sorted({e.date.isoformat() for e in named})) if back else None)
    amount, whole = f"{abs(rest):,f} {finding.currency}", f"{abs(posted):,f} {finding.currency}"
    plan.message = (f"{code} {ref}: " + (f"the write-off of {whole}" if abs(rest) == abs(posted) else
                                         f"{amount} of the write-off of {whole}") + f" to {account} reversed (paid since)"
                    if back else f"{code} {ref}: {amount} more written off to {account}"
                    + (_above_said(limit, reason) if above else ""))
    return plan


def _plan(config, entries, finding, ref: str, moved: Decimal, account: str, limit: Decimal, above: bool,
          reason: str | None, narration: str | None = None, reverses: str | None = None) -> Plan:
    """The write-off entry that posts `moved` to the finding's account from the write-off
    account (links, meta, the bank line linked to a payout), and the account's `open`."""
    code = finding.code
    named = [e for e in entries if isinstance(e, data.Transaction) and str(e.meta.get("id", "")) in finding.refs]
    # a fee or a rate is accepted the day it was charged (its refs may name the payout
    # that took it, days later: a fee-gap of 03-31 was written off in April); a
    # difference between two sides, the day the later of them showed it; an order nobody
    # paid, the day its finding is dated (its deadline's, in a month after the order's);
    # the money of it that came after all, the day that came
    day = finding.date if code in ("fee-gap", "fx-gap") or (code == "order-unpaid" and not finding.paid_since) \
        else _later_side(entries, finding)
    refuse_closed(config, day)
    plan = Plan("", data={"code": code, "ref": ref, "account": account, "amount": f"{abs(moved):f}",
                          "currency": finding.currency, "limit": f"{limit:f}", "above_limit": above})
    links = ()
    if code in ("amount-mismatch", "order-unpaid"):   # the order's: its group in the receivable comes back to zero
        if code == "order-unpaid":   # (no payment names it: the order's own entry does, by its order-id)
            named += [e for e in entries if isinstance(e, data.Transaction) and finding.refs
                      and str(e.meta.get("order-id", "")) == finding.refs[0]
                      and any(p.account == finding.account for p in e.postings)]
        links = tuple(sorted({l for e in named for l in e.links if l.startswith("order-")})[:1])
    if code == "payout-mismatch":
        payouts = sorted({l for e in named for l in e.links if l.startswith("payout-")})
        links = tuple(payouts[:1])
        banks = {b.account for b in config.banks.values()}
        for e in named:  # the bank line answers the payout: link it, as `beanclear link` would
            if links and any(p.account in banks for p in e.postings) and links[0] not in e.links:
                plan.edits.append(Edit(e.meta["filename"], e.meta["lineno"], add_links=links))
    narration = narration or f"write-off {code}: {finding.message}"
    head = (f"{day} {'!' if above else '*'} {render.quote('beanclear')} "
            f"{render.quote(narration)}" + "".join(f" ^{l}" for l in links))
    own = " ".join(own_refs(entries, finding))   # not the refs it shares with others (a payout's)
    meta = [f'  {META}: {render.quote_exact(code)}', f'  settles: {render.quote_exact(own)}']
    if reverses:   # (the days of the write-offs it takes back: the month report lists no finding of it)
        meta.append(f"  {REVERSES}: {render.quote_exact(reverses)}")
    if reason:
        meta.append(f"  reason: {render.quote_exact(reason)}")
    if above and finding.source:   # it stays listed (state.py), with the source it was found in
        meta.append(f"  finding-source: {render.quote_exact(finding.source)}")
    meta.append(f"  {BY}: {render.quote_exact(who())}")   # who decided it, as close's closed-by (git's author may be a bot)
    counter = account if code == "fx-gap" else finding.account
    postings = [f"  {account:<{render.ACCOUNT_WIDTH}}{render.amount_text(-moved, finding.currency)}",
                f"  {counter:<{render.ACCOUNT_WIDTH}}{render.amount_text(moved, finding.currency)}"]
    block = "\n" + "\n".join([head, *meta, *postings]) + "\n"
    plan.appends[RESOLVE_FILE] = (RESOLVE_HEADER, block, ("acks.beancount", "prices.beancount"))
    plan.appends.update(account_opens(config, entries, account))
    return plan
