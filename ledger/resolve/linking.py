"""Match by hand: link a bank line to the open items it settles; unlink a match.

    beanclear open-items --search 9916            the items a line could settle
    beanclear link 20260106000006 1000959334202601050000004631
    beanclear unlink 20260106000006

`link` does what `match --apply` does for a confident proposal (matching.edits_for):
the bank line and the items share the items' links, and the line's counter posting
moves to the items' account. An item is named by its link (`payout-…`, `order-…`) or
any of its statement ids. A difference between the line and the items is allowed and
said: the check then reports it (payout-mismatch, amount-mismatch) for a write-off.
A payout is open while the clearing check pairs it with no bank credit (matching's
OpenItem.paired): one it pairs with a credit is linked to that credit only, and is
refused for any other line, naming the credit (a blind tester's link of an unrelated
line to a payout that had reached the bank made a payout-mismatch of it and left its
credit bank-unmatched). Several lines settle one payout by adding up to it (a payout the
bank credited in parts): each is linked in turn, and one that does not make the rest of
what is linked already is refused, saying the sums.

`unlink` takes the match links (`payout-…`, `order-…`, `bill-…`) off a bank line, or
the one given, and books its counter posting back to where the import books such a
line (a channel's transit account for a credit naming its payouts, a rule's account,
else Assets:Suspense) or, where `book` or the match wrote `booked-from` (its text did not
say where the line was: retitled by hand, or claimed by a rule added since, `book
--rule`'s among them), there, taking `booked-from` off (a rule stays in config.yaml); a line
`book` retitled gets the statement's title back, without the `statement-text` that kept
it. The items keep their own links: the importer gave them. A link a write-off settles
the line with is not taken off (refused, naming the write-off: it goes first).
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from beancount.core import data as bc

from beanclear.books.edits import Edit
from beanclear.checks.items import posted
from beanclear.checks.reconcile import collector_paused
from beanclear.importers.banking import booked_as
from beanclear.importers.base import rule_account
from beanclear.importers.order_refs import order_key
from beanclear.importers.toolkit.places import in_places, minor_unit, shown
from beanclear.matching.core import (ITEM_LINKS, MATCH_LINK, ByHand, Proposal, answered_debit, collect, debit_answered, edits_for,
                                     restated)
from beanclear.resolve import BadValue, Plan, ResolveError, refuse_closed
from beanclear.resolve.booking import (BOOKED_FROM, STATEMENT_PAYEE, STATEMENT_TEXT, bank_line, statement_text,
                                       split_by_hand, statement_title, transfer_meta, unexplained,
                                       unlinked_target)

MATCH_LINKS = ITEM_LINKS


def item_json(item) -> dict:
    return {"link": item.link, "ids": list(item.ids), "amount": f"{item.amount:f}", "currency": item.currency,
            "date": item.date.isoformat(), "channel": item.channel, "account": item.account,
            "text": " ".join(t for t in item.names[1:] if t) if item.account.startswith("Assets:Transit:")
            else " ".join(item.names)}


def open_items(entries, config, search: str | None = None, currency: str | None = None, load=None,
               bank_ref: str | None = None) -> list:
    """The open items (payouts in transit, orders and bills due), date order; `search`
    keeps those whose link, ids, amount, date, channel or text contain every word. A
    payout the clearing check pairs with a bank credit is not in transit (the month
    report says so too): it is no line's to settle but that credit's. `load`: the
    checks' reconcile.Load of these books (matching's collect). `bank_ref`: those that
    bank line may be linked to, nearest in amount first (matching.ByHand: what the
    page's Match by hand lists for it), a payout the check pairs with it among them.
    The ids searched are those `link` takes: as matching reads them and as the channel
    or shop wrote them (OpenItem.refs: Shopify's `#3300`)."""
    with collector_paused():   # as match() does: collecting makes an object per open item
        lines, items, _ = collect(entries, config, load)
        if bank_ref is not None:
            line = bank_line(entries, config, bank_ref)
            open_line = next((l for l in lines if l.entry is line.entry), None)
            if open_line is None or not unexplained(line, config):
                raise ResolveError(_explained(line, config, entries, load))
            items = ByHand(items).of(open_line)[0]
        else:
            items = sorted((i for i in items if not i.paired), key=lambda i: (i.date, i.link))
    words = (search or "").lower().split()
    out = []
    for item in items:
        if currency and item.currency != currency:
            continue
        row = item_json(item)
        hay = " ".join([row["link"], *row["ids"], *(item.refs() if words else ()), row["amount"], row["date"],
                        row["channel"], row["text"]]).lower()
        if all(w in hay for w in words):
            out.append(item)
    return out


def _already(bank_refs: list[str], item_refs: list[str]) -> str:
    """The answer to a match asked again (`link` twice, the page's accept twice)."""
    lines = f"bank line {bank_refs[0]} is" if len(bank_refs) == 1 else f"bank lines {' '.join(bank_refs)} are"
    return f"{lines} linked to {' '.join(item_refs)} already; nothing was written"


def linked_already(entries, config, bank_refs: list[str], target: str) -> Plan | None:
    """A proposal accepted again (the page's accept twice: a double click), no longer made
    because it is written: a Plan that writes nothing, in `link`'s words, where every one of
    its bank lines carries every link of its target; else None (the books changed)."""
    links = target.split()
    if not bank_refs or not links or not all(l.startswith(MATCH_LINKS) for l in links):
        return None
    try:
        lines = [bank_line(entries, config, ref) for ref in bank_refs]
    except ResolveError:
        return None
    if not all(set(links) <= line.entry.links for line in lines):
        return None
    return Plan(_already([line.ref for line in lines], links),
                data={"bank_refs": [line.ref for line in lines], "links": sorted(links)}, nothing=True)


def _explained(line, config, entries=None, load=None) -> str:
    """Why a bank line is no line to link: booked or linked already (split by hand, with
    nothing left in suspense, among them), or a debit the clearing check pairs with the
    channel's top-up (matching.answered_debit: its words, not judged again here)."""
    answers = answered_debit(entries, config, line, load) if entries is not None else ()
    if answers:
        return f"{debit_answered(config, line, answers)}; nothing to link"
    if line.split and not line.counter:
        return f"{split_by_hand(line, config)}: nothing of it is open; edit its postings by hand"
    if entries is not None and line.counter == config.transfers:
        from beanclear.checks.transfers import side_said
        said, paired = side_said(entries, config, line.entry, line.ref)
        if paired:
            return f"{said}: nothing to link"
        return (f"{said}: no open item settles it; if it was no transfer, `beanclear book {line.ref} ACCOUNT` books "
                "it where it belongs")
    if entries is not None and (line.counter == config.suspense or
                                line.counter in {ch.accounts.transit for ch in config.channels.values()}):
        from beanclear.checks.suspense import reversed_line
        other = reversed_line(entries, config, line.entry)
        if other is not None:   # a line and the bank's reversal of it explain each other
            what = "the line it reverses" if str(line.entry.meta.get("reversal", "")).lower() == "true" \
                else "the bank's reversal of it"
            said = f"{shown(posted(other, line.bank_account), line.currency)} {line.currency}"
            return (f"bank line {line.ref} ({line.said}) and {other.meta.get('id')}, {what} ({said} on {other.date}), "
                    f"explain each other in {line.counter} (no finding): nothing to link; `beanclear book` both "
                    "to one account where they belong elsewhere")
    return (f"bank line {line.ref} is explained already (booked to {line.counter}"
            + (f", linked {' '.join(sorted(line.entry.links))}" if line.entry.links else "")
            + "); `beanclear unlink` it first")


def _find_item(items, ref: str):
    """The open item `ref` names: its link, or one of its own ids (OpenItem.names_itself:
    an order's payment carries its payout's id, which names that payout, not the order; a
    blind tester's `link B05 po_NEG`, Stripe's negative payout being no open item, linked
    the debit to the order whose refund went out in it), else one as the channel or shop
    wrote it, a ref its findings list (OpenItem.refs: Shopify's `#3300`)."""
    for item in items:
        if ref == item.link or f"payout-{ref}" == item.link or f"order-{ref}" == item.link or \
                ref in item.ids and item.names_itself(ref):
            return item
    return next((item for item in items if ref in item.refs()), None)


def _linked_already(entries, line, ref: str) -> bool:
    """Whether bank line `line` is linked to what `ref` names already: its link, or an
    order's whose id the shop wrote `ref` (an order linked is no open item any more)."""
    if any(l in line.entry.links for l in (ref, f"payout-{ref}", f"order-{ref}")):
        return True
    orders = {l for l in line.entry.links if l.startswith("order-")}
    return bool(orders) and any(isinstance(e, bc.Transaction) and orders & e.links and
                                str(e.meta.get("order-id", "")) == ref for e in entries)


def _no_item(items, ref: str) -> str:
    """The refusal of a `ref` that names no open item: which names an item takes, and the
    one name of an item `ref` is but for case or the `#` a shop writes before an order's
    id, if there is one (as `ack` says it: acks.not_named), never taken in its place."""
    fold = order_key(ref).casefold()
    near = {n for item in items for n in (item.link, *item.ids, *item.refs())
            if n != ref and order_key(n).casefold() == fold}
    said = f"did you mean {near.pop()}?" if len(near) == 1 else "see `beanclear open-items`"
    return (f"no open item is {ref!r} (a payout in transit, an order or bill due, named by its link or a ref its "
            f"findings list; {said})")


def link(config, entries, bank_ref: str, item_refs: list[str], load=None, sent: tuple | None = None) -> Plan:
    """`sent`: (amount, currency) as `--sent` gives them, the amount a credit the bank
    converted was sent as, where its statement states none (MT940, OFX): the line is
    linked in that amount, as one stating it is (_sent_by_hand)."""
    if not item_refs:
        raise BadValue("items: expected at least one open item (a link or statement id; see `beanclear open-items`)")
    given = sent_value(*sent) if sent is not None else None
    line = bank_line(entries, config, bank_ref)
    bank_ref = line.ref   # (said by its id, which a bank's own reference may be short of)
    lines, items, _ = collect(entries, config, load)
    line = next((l for l in lines if l.entry is line.entry), line)   # as matching reads it: its amount sent
    if given is not None:
        line = _sent_by_hand(config, entries, line, given)
    if line.counter == config.transfers:   # a side of a transfer between own accounts: no item's, ever
        raise ResolveError(_explained(line, config, entries, load))
    if line.amount < 0 and not any(l.entry is line.entry for l in lines) and \
            (answers := answered_debit(entries, config, line, load)):
        # before the items are read: a payout id names no item of such a debit's (Stripe's
        # negative payout is no payout in transit; an order carrying its id is not it)
        if len(item_refs) == 1 and (plan := _top_up_elsewhere(config, entries, line, item_refs[0], load)):
            return plan   # another channel's top-up the check pairs it with, booked where its text put it
        raise ResolveError(f"{debit_answered(config, line, answers)}; nothing to link")
    chosen = []
    for ref in item_refs:
        item = _find_item(items, ref)
        if item is None:
            if _linked_already(entries, line, ref):
                continue  # this line is linked to it already
            item = _rest_of_payout(entries, config, ref, line)
        if item is None and len(item_refs) == 1 and (plan := _top_up_elsewhere(config, entries, line, ref, load)):
            return plan
        if item is None:
            raise ResolveError(_no_item(items, ref))
        if not item.open_to(line):   # (the rest of one linked in part, this line may make it too)
            item = _rest_of_payout(entries, config, ref, line) or item
        if not item.open_to(line):
            if item.paired and all(e.meta.get("payout-returned") for e in item.paired):
                raise ResolveError(f"{item.link} is not in transit: it never reached the bank, "
                                   f"{item.arrived()} took it back (paid out again later); bank line {bank_ref} is "
                                   "not its credit (see `beanclear open-items`)")
            raise ResolveError(f"{item.link} is not in transit: the clearing check pairs it with "
                               f"{item.arrived()}, not with bank line {bank_ref}; if that is not its credit, "
                               "link that line to its own payout first (see `beanclear open-items`)")
        if item not in chosen:
            chosen.append(item)
    data = {"bank_ref": bank_ref, "links": sorted({i.link for i in chosen}), "amount": f"{line.amount:f}",
            "currency": line.currency}
    if given is not None:
        data["sent"] = f"{given[0]:f} {given[1]}"
    if not chosen:
        return Plan(_already([bank_ref], item_refs), data=data, nothing=True)
    if not any(l.ref == bank_ref for l in lines) or not unexplained(line, config):
        raise ResolveError(_explained(line, config, entries, load))
    accounts = {i.account for i in chosen}
    if len(accounts) > 1:
        raise ResolveError(f"items: {', '.join(i.link for i in chosen)} wait in different accounts "
                           f"({', '.join(sorted(accounts))}); one bank line settles items of one account")
    wrong = [i for i in chosen if line.amount_for(i) is None]
    if wrong:
        raise ResolveError(f"items: {', '.join(i.link for i in wrong)} are not in {line.currency}, the bank line's "
                           "currency" + (f", nor in {line.sent[1]}, the amount sent {_stated(given)}" if line.sent else
                                         " (a credit the bank converted is linked to a payout in the amount sent its "
                                         "statement states; this one states none)" + _give_sent(line, wrong)))
    late = [i for i in chosen if not i.reached_by(line.date)]
    if late:
        raise ResolveError("items: " + ", ".join(f"{i.link} ({shown(i.amount, i.currency)} {i.currency}) was paid out "
                                                 f"on {i.date}" for i in late)
                           + f", after bank line {bank_ref} ({line.said} on {line.date}): no credit dated before "
                           "a payout's day is its (see `beanclear open-items`)")
    backwards = [i for i in chosen if not i.may_settle(line)]   # (open to it, in its currency, of its days: the other way)
    if backwards:
        way = ("money in", "money out") if line.amount > 0 else ("money out", "money in")
        raise ResolveError("items: " + ", ".join(f"{i.link} ({shown(i.amount, i.currency)} {i.currency})"
                                                 for i in backwards)
                           + f" {'is' if len(backwards) == 1 else 'are'} {way[1]}, bank line {bank_ref} "
                           f"({shown(line.amount, line.currency)} {line.currency}) {way[0]}: a line settles what is "
                           "owed its way (see `beanclear open-items`)")
    if len({i.currency for i in chosen}) > 1:
        raise ResolveError(f"items: {', '.join(i.link for i in chosen)} are in different currencies; one bank line "
                           "settles items of one currency")
    refuse_closed(config, line.date)
    proposal = Proposal([line], chosen, chosen[0].account, "hand", 100.0, ["linked by hand"])
    total = sum((i.amount for i in chosen), Decimal(0))
    amount, currency = line.amount_for(chosen[0]), chosen[0].currency
    data["difference"] = f"{amount - total:f}"
    sent = f", sent as {shown(amount, currency)} {currency}" if currency != line.currency else ""
    message = f"bank line {bank_ref} ({line.said}{sent}) linked to {' + '.join(data['links'])}"
    others = chosen[0].made_with(line) if len(chosen) == 1 else []
    if others:
        message += (f"; the clearing check pairs {chosen[0].arrived(others)} with it too: together they make it "
                    f"(link {' and '.join(str(e.meta['id']) for e in others)} to it too)")
    elif total != amount:
        message += f"; they differ by {shown(amount - total, currency)} {currency} (write it off, or find the rest)"
    return Plan(message, edits=edits_for(proposal, config), data=data)


def sent_value(amount: str, currency: str) -> tuple[Decimal, str]:
    """`--sent AMOUNT CURRENCY` as (amount, currency): an amount as a statement writes one
    (digits, a point, no sign, no exponent), more than zero, within the currency's places,
    and a code of three letters; else BadValue, saying what was expected."""
    said = f"{amount} {currency}"
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", amount.strip()) or not re.fullmatch(r"[A-Za-z]{3}", currency.strip()):
        raise BadValue(f"--sent: expected the amount sent and its currency, like `--sent 122.12 GBP`, got {said!r}")
    number, code = Decimal(amount.strip()), currency.strip().upper()
    if not number:
        raise BadValue(f"--sent: an amount sent of {amount.strip()} {code} (expected more than zero)")
    if number.quantize(minor_unit(code), ROUND_DOWN) != number:
        raise BadValue(f"--sent: {amount.strip()} {code} has more places than {code} has")
    return in_places(number, code), code


def _sent_by_hand(config, entries, line, given: tuple[Decimal, str]):
    """The bank line as `link --sent` gives it: a credit the bank converted into the
    account's currency, sent as `given` (amount, currency), which its statement does not
    state (MT940 states no amount sent; OFX a rate only: README "The accounting model"),
    in a currency a channel paying into its bank pays out in. Its transit posting is
    then booked in that amount at the rate that gives the bank's amount back
    (matching.restated), as the import books a CAMT credit stating it: the clearing check
    pairs it with the payout in its currency, the month report counts it settled there,
    fx-gap judges the bank's rate. A line stating an amount sent keeps its statement's:
    `--sent` must agree with it."""
    from dataclasses import replace
    from beanclear.matching.core import amount_sent, books_paid
    amount, currency = given
    if line.amount <= 0:
        raise ResolveError(f"--sent: bank line {line.ref} ({line.said}) is money out; an amount sent is of a "
                           "credit the bank converted")
    if currency == line.currency:
        raise BadValue(f"--sent: {amount:f} {currency} is the bank line's own currency: nothing was converted; "
                       "link it without --sent")
    if line.sent is not None:
        if (line.sent[0], line.sent[1]) != (amount, currency):
            raise ResolveError(f"--sent: bank line {line.ref}'s statement states {shown(line.sent[0], line.sent[1])} "
                               f"{line.sent[1]} sent, not {amount:f} {currency}")
        return line
    if "original-amount" in line.entry.meta:   # (one of nothing, or in a currency no payout is: its word stands)
        raise ResolveError(f"--sent: bank line {line.ref}'s statement states {line.entry.meta['original-amount']} "
                           f"sent, not {amount:f} {currency}")
    stated = replace(line, entry=line.entry._replace(meta={**line.entry.meta,
                                                           "original-amount": f"{amount:f} {currency}"}))
    found = amount_sent(config, stated, books_paid(entries, config))
    if found is None:
        bank = next((name for name, b in config.banks.items() if b.account == line.bank_account), line.bank_account)
        raise ResolveError(f"--sent: no channel paying into {bank} pays out in {currency}; an amount sent is a "
                           "payout's the bank converted")
    return replace(line, sent=found)   # (the line's own entry: what it is compared with by identity)


def _stated(given) -> str:
    """Who says a line's amount sent: its statement, or `--sent`."""
    return "--sent gives" if given is not None else "its statement states"


def _give_sent(line, wrong: list) -> str:
    """How to link a credit the bank converted whose statement states no amount sent to
    the payouts `wrong` of another currency: `--sent` (blind33 eubank: `link` said why
    it refused, and nothing said what to do instead)."""
    if line.amount <= 0 or "original-amount" in line.entry.meta or not all(i.payout for i in wrong) \
            or len({i.currency for i in wrong}) != 1:
        return ""
    total = sum((i.amount for i in wrong), Decimal(0))
    return (f": give the amount the payout was sent as, `beanclear link {line.ref} {' '.join(i.link for i in wrong)} "
            f"--sent {total:f} {wrong[0].currency}` if the bank received it whole")


def _top_up_elsewhere(config, entries, line, ref: str, load=None) -> Plan | None:
    """`link BANKREF <top-up>`: a bank debit booked on one channel's transit account (its
    text fits several: two PayPal accounts, the importer books it on the first) linked to
    the top-up from the bank (PayPal's bank deposit, a reversal of a payout the bank
    returned) of another channel paying into its bank, that `ref` names (its id, its
    `payout-` link), or a debit in suspense of any bank of the config (a top-up drawn from
    the company card, not the bank it pays out to: blind27 creditcards, `no open item`): the
    line takes the top-up's link and goes to that channel's transit
    account, where the check judges the two together (blind20 paypalheavy: `no open item`,
    and only `book` moved it). Refused, saying why, where the top-up is in another
    currency or the check pairs it with another bank line; None where `ref` names no
    top-up of another channel's (the items then say)."""
    from beanclear.matching.core import paired_payouts
    transit = {ch.accounts.transit: ch for ch in config.channels.values()}
    if line.amount >= 0 or line.counter not in (*transit, config.suspense) or line.split or \
            any(l.startswith("payout-") for l in line.entry.links):
        return None
    names = {ref, f"payout-{ref}"}
    found = []
    for entry in entries:
        if not isinstance(entry, bc.Transaction) or not (
                names & entry.links or str(entry.meta.get("id")) == ref or str(entry.meta.get("payout-id")) == ref):
            continue
        on = [p for p in entry.postings if p.account in transit and p.account != line.counter]
        if len(on) == 1 and on[0].units.number < 0 and any(p.account == transit[on[0].account].accounts.clearing
                                                            for p in entry.postings):
            found.append((entry, on[0]))
    if len(found) != 1:
        return None
    top_up, posting = found[0]
    ch = transit[posting.account]
    said = (f"{ch.name}'s {'reversal' if top_up.meta.get('payout-returned') else 'top-up'} {top_up.meta.get('id', ref)} "
            f"({shown(-posting.units.number, posting.units.currency)} {posting.units.currency} on {top_up.date})")
    if posting.units.currency != line.currency:
        raise ResolveError(f"{ref} is {said}, not in {line.currency}, bank line {line.ref}'s currency: "
                           "one bank debit answers a top-up of its own currency")
    others = [e for e, answers in paired_payouts(entries, config, {posting.account}, load).items()
              if any(a is top_up for a in answers)]
    if others and not any(o == id(line.entry) for o in others):
        debit = next(e for e in entries if id(e) in set(others))
        raise ResolveError(f"{ref} is {said}: the clearing check pairs it with bank line {debit.meta.get('id')} "
                           f"({debit.date}), not with bank line {line.ref}; `beanclear unlink` or book that line "
                           "elsewhere first")
    refuse_closed(config, line.date)
    link_name = next((l for l in sorted(top_up.links) if l.startswith("payout-")), None)
    edits = [Edit(line.entry.meta["filename"], line.entry.meta["lineno"], add_links=(link_name,))] if link_name else []
    counter = next(p for p in line.entry.postings if p.account == line.counter)
    edits.append(Edit(counter.meta["filename"], counter.meta["lineno"], account=(line.counter, posting.account)))
    message = (f"bank line {line.ref} ({line.said}) linked to {link_name or ref} and booked to {posting.account}: "
               f"it answers {said} from the bank (it was booked to {line.counter}, where its text put it)")
    if -posting.units.number != -line.amount:
        diff = -line.amount + posting.units.number
        message += f"; they differ by {shown(diff, line.currency)} {line.currency} (write it off, or find the rest)"
    return Plan(message, edits=edits, data={"bank_ref": line.ref, "links": [link_name] if link_name else [],
                                            "booked_to": posting.account, "amount": f"{line.amount:f}",
                                            "currency": line.currency})


def _refuse_written_off(config, entries, bank_ref: str, links: list[str]) -> None:
    """A write-off that settles the line (its `settles:` names it) with a link unlink
    would take off: the line and the write-off are one answer to the finding, and the
    line unlinked alone left the write-off settling nothing (a blind tester's credit,
    naming its payout, read bank-unmatched, and the payout was no open item). Unlink
    undoes a match, not a write-off: the write-off goes first, by hand."""
    from beanclear.checks.findings import relative
    from beanclear.checks.write_offs import written_off
    for (code, ref), entry in sorted(written_off(entries).items(), key=lambda kv: kv[0]):
        held = sorted(entry.links & set(links)) if ref == bank_ref else []
        if held:
            where = relative(entry.meta.get("filename"), config.root)
            raise ResolveError(f"bank line {bank_ref}: the write-off of {code} at {where}:{entry.meta.get('lineno')} "
                               f"settles it with {' '.join(held)}; undo the write-off first (delete that entry), "
                               f"then unlink")


def _rest_of_payout(entries, config, ref: str, line):
    """The rest of a payout `ref` names that bank lines linked to it settle in part, as
    an open item for `line` where the line makes that rest (a payout the bank credited in
    parts, linked one part at a time: the clearing check pairs the last part with it only
    in the payout's window); None where `ref` names no such payout. Refused, saying the
    sums, where the line does not make the rest: several lines settle one payout only by
    adding up to it (one line may differ: a bank's fee, written off)."""
    from beancount.core import data as bc
    from beanclear.checks.transit import arrived_by
    from beanclear.matching.core import DAY, PAYOUT_SLACK, OpenItem, _ids
    transit = {ch.accounts.transit: ch for ch in config.channels.values()}
    banks = {b.account for b in config.banks.values()}
    payout = account = None
    for entry in entries:
        if isinstance(entry, bc.Transaction) and not any(p.account in banks for p in entry.postings):
            account = next((p.account for p in entry.postings if p.account in transit and p.units.number > 0), None)
            if account and (ref in entry.links or f"payout-{ref}" in entry.links or ref in _ids(entry)):
                payout = entry
                break
    links = sorted(l for l in payout.links if l.startswith("payout-")) if payout is not None else []
    if len(links) != 1:
        return None
    parts = [e for e in entries if isinstance(e, bc.Transaction) and e is not payout and links[0] in e.links]
    lines = [e for e in parts if any(p.account in banks for p in e.postings)]
    if not lines:
        return None
    currency = next(p.units.currency for p in payout.postings if p.account == account)
    # (in the payout's currency: a person's entry converting it posts to transit in two)
    paid = posted(payout, account, currency)
    rest = paid + sum(posted(e, account, currency) for e in parts)
    credited = " and ".join(f"bank line {e.meta.get('id')} ({shown(-posted(e, account, currency), currency)} "
                            f"{currency})" for e in lines)
    if not rest:
        raise ResolveError(f"{links[0]} ({shown(paid, currency)} {currency}) is settled already: linked to {credited}; "
                           f"if bank line {line.ref} is its credit, `beanclear unlink` that first")
    channel = transit[account]
    item = OpenItem([payout], account, links[0], rest, currency, payout.date, channel.bank_days + PAYOUT_SLACK,
                    channel.name, (), _ids(payout), early=arrived_by(payout, payout.date - DAY, config.timezone),
                    payout=True)
    amount = line.amount_for(item)   # (a part the bank converted makes the rest in the amount it sent)
    if amount != rest:
        sent = amount is not None and currency != line.currency
        said = f"{shown(line.amount, line.currency)} {line.currency}" + (
            f", sent as {shown(amount, currency)} {currency}" if sent else "")
        made = (f" would make {shown(paid - rest + amount, currency)} {currency} of it, not {shown(paid, currency)}"
                if amount is not None else f" is not in {currency} and states no amount sent in it")
        raise ResolveError(f"{links[0]} ({shown(paid, currency)} {currency}) is linked to {credited} already: "
                           f"bank line {line.ref} ({said}){made}; link the line that makes the rest "
                           f"({shown(rest, currency)} {currency}), or `beanclear unlink` what is linked first")
    return item


def _matched_items(entries, line_entry, links: list[str]) -> list[Edit]:
    """The edits taking off the items the links a match gave them (core.MATCH_LINK), of
    `links` no other bank line keeps: the item as it was before the link."""
    links, given, kept = set(links), [], set()   # (one pass; only the links unlinked are gathered)
    for e in entries:
        if not isinstance(e, bc.Transaction) or e is line_entry or not e.links & links:
            continue
        if e.meta.get(MATCH_LINK) in e.links & links:
            given.append(e)
        else:
            kept |= e.links & links
    return [Edit(e.meta["filename"], e.meta["lineno"], remove_links=(e.meta[MATCH_LINK],), remove_meta=(MATCH_LINK,))
            for e in given if e.meta[MATCH_LINK] not in kept]


def unlink(config, entries, bank_ref: str, link_name: str | None = None) -> Plan:
    line = bank_line(entries, config, bank_ref)
    entry, bank_ref = line.entry, line.ref
    present = sorted(l for l in entry.links if l.startswith(MATCH_LINKS))
    if link_name is not None:
        if link_name not in entry.links:
            return Plan(f"bank line {bank_ref} has no link {link_name}; nothing was written",
                        data={"bank_ref": bank_ref, "removed": []}, nothing=True)
        present = [link_name]
    if line.split:
        # a line a person split: which of its postings a match moved, or where the rest
        # went, the books do not say (README "A line split by hand")
        split = f"bank line {bank_ref} is split by hand ({', '.join(line.split)})"
        if present:
            raise ResolveError(f"{split} and linked ({' '.join(present)}): unlink cannot tell which of its postings "
                               f"the match moved; take the links off and book that posting back to "
                               f"{config.suspense} by hand")
        return Plan(f"{split} and not linked: unlink books no posting of a split back; nothing was written",
                    data={"bank_ref": bank_ref, "removed": []}, nothing=True)
    _refuse_written_off(config, entries, bank_ref, present)
    plan = Plan("", data={"bank_ref": bank_ref, "removed": present})
    if present:
        plan.edits.append(Edit(entry.meta["filename"], entry.meta["lineno"], remove_links=tuple(present)))
        plan.edits += _matched_items(entries, entry, present)
    imported, peer = unlinked_target(config, line)
    back = line.counter != imported
    if back:
        counter = next(p for p in entry.postings if p.account == line.counter)
        plan.edits.append(Edit(counter.meta["filename"], counter.meta["lineno"], account=(line.counter, imported)))
        plan.data["booked_to"] = imported
    plan.edits += restated(config, line, imported, peer)
    gone, named = transfer_meta(line, peer)   # (a transfer names the other bank: book did, or the import)
    plan.edits += gone
    if named:
        first = entry.postings[0].meta
        plan.edits.append(Edit(first["filename"], first["lineno"], meta_before=(named,)))
    was = entry.meta.get(BOOKED_FROM)
    if back and was is not None and booked_as(config, line.bank_account, str(was)) == (imported, peer):
        # back where it was (a side of a transfer: naming the bank booked-from names): nothing to remember
        plan.edits.append(Edit(entry.meta["filename"], entry.meta["lineno"], remove_meta=(BOOKED_FROM,)))
    title = statement_title(entry) if STATEMENT_TEXT in entry.meta else None
    if title is not None:   # the line as the statement wrote it: a finding it opens again quotes it
        plan.edits.append(Edit(entry.meta["filename"], entry.meta["lineno"], title=title,
                               remove_meta=(STATEMENT_TEXT, STATEMENT_PAYEE)))
        plan.data["retitled"] = {"payee": title[0], "narration": title[1]}
    if not plan.edits:
        plan.nothing = True
        plan.message = f"bank line {bank_ref} is not linked or booked; nothing was written"
        return plan
    refuse_closed(config, line.date)
    said = ([f"unlinked {' '.join(present)}"] if present else []) + \
        ([f"booked back to {plan.data.get('booked_to')}"] if back else []) + \
        (["titled as its statement wrote it"] if title is not None else [])
    ruled = rule_account(config, statement_text(line)) if back else None
    if ruled is not None and ruled != imported:   # (book --rule's rule: unlink takes it out of no file)
        said.append(f"the rule of {Path(config.path).name} that books lines like it to {ruled} stays, "
                    "for the lines imported from now on")
    plan.message = f"bank line {bank_ref}: " + "; ".join(said)
    return plan

