"""Entries as Beancount text, in one fixed layout, so the same statement always gives
the same bytes (DESIGN.md §2: deterministic, minimal diffs)."""

from __future__ import annotations

import re
from decimal import Decimal

from beancount.core import data

from beanclear.importers.toolkit.places import in_places

ACCOUNT_WIDTH = 36
NUMBER_WIDTH = 14
HIDDEN_META = {"filename", "lineno"}
# Beancount's flag of a summarising entry: balances carried forward (periods/forward.py),
# money that was there, not a sale, a refund or a payout of that day.
SUMMARY_FLAG = "S"


def quote(text: str) -> str:
    """A payee or narration as a Beancount string, on one line, runs of white space as one."""
    text = str(text)
    # The usual text: printable (so its only white space is " "), no run of it, nothing to escape.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " " \
            and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    flat = " ".join(undecoded_as_escapes(text).split())  # no newlines or tabs inside a Beancount string
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_exact(text: str) -> str:
    """A metadata value as a Beancount string, as it was: an id `A  B` or `A\u3000B` is read
    back the same (books.Books.known), so a re-import finds it. Line breaks and other
    control characters, which no one-line string holds, become spaces (holdable())."""
    text = str(text)
    if text.isprintable() and '"' not in text and "\\" not in text:  # the usual value: as it is
        return '"' + text + '"'   # (printable text holds none of CONTROL)
    text = CONTROL.sub(" ", undecoded_as_escapes(text))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# (and bidi overrides and isolates: text a person gives, a reason or a narration, shown
# reversed to the reviewer of the diff: importers/toolkit/text.py CONTROL)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
UNDECODED = re.compile("[\udc80-\udcff]")


def undecoded_as_escapes(text: str) -> str:
    """Text with the bytes of a file name the system could not decode as `\\xNN`: Python
    keeps them as lone surrogates (`ops-\\udcb9\\udca4….csv`, a name in GBK on a share
    mounted from Chinese Windows), which no UTF-8 file holds. The books then say
    `statement: "ops-\\\\xb9\\\\xa4\\\\xd0\\\\xd0.csv"`, read back as `ops-\\xb9\\xa4\\xd0\\xd0.csv`: the
    name's bytes, as `ls -b` shows them."""
    return UNDECODED.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text) if UNDECODED.search(text) else text


def holdable(text: str) -> bool:
    """Whether the books hold this text exactly (an id must be: it is the entry's identity)."""
    text = str(text)
    return text.isprintable() or not CONTROL.search(text)   # printable text holds none of CONTROL


def _meta_lines(meta: dict, lines: list | None = None) -> list[str]:
    """The metadata lines (but the hidden ones), appended to `lines` if given."""
    lines = [] if lines is None else lines
    append = lines.append
    for key, value in meta.items():
        if key in HIDDEN_META or key[:1] == "_":
            continue
        if type(value) is str and value.isprintable() and '"' not in value and "\\" not in value:
            append(f'  {key}: "{value}"')   # quote_exact's usual value, without a call per line
            continue
        shown = quote_exact(value) if isinstance(value, str) else number_text(value) if isinstance(value, Decimal) \
            else str(value)
        append(f"  {key}: {shown}")
    return lines


def number_text(number: Decimal) -> str:
    """A number written out in full (`f"{number:f}"`): str() gives the same text, at half
    the cost, whenever it has no exponent (every amount a statement holds)."""
    if type(number) is Decimal:
        text = str(number)
        if "E" not in text:
            return text
    return f"{number:f}"


def amount_text(number: Decimal, currency: str) -> str:
    """An amount beanclear computes or reads from config.yaml (an opening, a close's
    balance, a write-off, a carried-forward balance) as the books hold it: in the
    currency's places (in_places), as every importer's postings are: `5000000` JPY, not
    the `5000000.00` a config's amount or a sum of such was."""
    return number_text(in_places(number, currency)).rjust(NUMBER_WIDTH) + f" {currency}"


def balance_line(day, account: str, number: Decimal, currency: str) -> str:
    """A balance assertion's line as the import writes it (entry_text, and the books'
    balances restated in place: books/late_balances.py, books/in_flight.py)."""
    return f"{day} balance {account:<{ACCOUNT_WIDTH - 9}}{amount_text(number, currency)}"


def posting_line(account: str, number: Decimal, currency: str) -> str:
    """A posting without a price as entry_text writes it, without its newline."""
    return f"  {account.ljust(ACCOUNT_WIDTH)}{number_text(number).rjust(NUMBER_WIDTH)} {currency}"


def entry_text(entry) -> str:
    """One entry as text, ending with a newline."""
    if isinstance(entry, data.Transaction):
        head = f"{str(entry.date)} {entry.flag}"   # str(): what format() gives a date, at half its cost
        if entry.payee:
            head += " " + quote(entry.payee)
        head += " " + quote(entry.narration or "")
        if entry.tags:
            head += "".join(f" #{t}" for t in sorted(entry.tags))
        links = entry.links
        if len(links) == 1:   # the usual entry: one order link, nothing to sort
            head += " ^" + next(iter(links))
        elif links:
            head += "".join(f" ^{l}" for l in sorted(links))
        lines = [head]
        _meta_lines(entry.meta, lines)
        for p in entry.postings:
            units = p.units
            price = f" @ {number_text(p.price.number)} {p.price.currency}" if p.price is not None else ""
            # ljust: what the format '<36' does to a str, at half its cost; amount_text() written out
            lines.append(f"  {p.account.ljust(ACCOUNT_WIDTH)}{number_text(units.number).rjust(NUMBER_WIDTH)} "
                         f"{units.currency}{price}")
        return "\n".join(lines) + "\n"
    if isinstance(entry, data.Balance):
        return "\n".join([balance_line(entry.date, entry.account, entry.amount.number, entry.amount.currency),
                          *_meta_lines(entry.meta)]) + "\n"
    if isinstance(entry, data.Price):
        return "\n".join([f"{entry.date} price {entry.currency} {entry.amount.number:f} {entry.amount.currency}",
                          *_meta_lines(entry.meta)]) + "\n"
    if isinstance(entry, data.Custom):
        values = " ".join(quote(v.value) if isinstance(v.value, str) else str(v.value) for v in entry.values)
        return "\n".join([f"{entry.date} custom {quote(entry.type)} {values}", *_meta_lines(entry.meta)]) + "\n"
    raise TypeError(f"beanclear does not write {type(entry).__name__} entries")


def identity(entry) -> str:
    """What makes an entry the same entry on a re-import: the statement's own id for a
    transaction, the account, date and currency for a balance assertion, the pair and
    date for a price."""
    if isinstance(entry, data.Balance):
        return f"balance {entry.account} {entry.date} {entry.amount.currency}"
    if isinstance(entry, data.Price):
        return f"price {entry.currency} {entry.amount.currency} {entry.date}"
    return entry.meta["id"]


# -- one money, several views (DESIGN.md §1 "Every view, once") --------------------------
#
# A channel's trade view books a payment as one entry, the fund view as a row for the
# gross and one for the fee. Each entry names, besides its `id`, every identity of the
# money it holds in `covers:`, so that whichever view comes second finds it known:
#
#     2026-03-01 * "Order QF1001"                     2026-03-01 * "在线支付"
#       id: "2026030122001100001"                       id: "310001"
#       covers: "fee 2026030122001100001"               covers: "2026030122001100001"
#       Assets:Clearing:Alipay     99.40 CNY            ...
#       Expenses:Fees:Alipay        0.60 CNY          2026-03-01 * "收费"
#       Income:Sales:Alipay      -100.00 CNY            id: "310002"
#                                                       covers: "fee 2026030122001100001"
#
# An entry that holds a fee also carries, hidden (`_fee_part`), which of its identities
# is the fee, with the fee's metadata and accounts: when only the fee, or only the rest,
# is already in the books, the other part is booked alone, so a partial overlap neither
# counts money twice nor loses it.

COVERS_SEPARATOR = ", "


def covered(text: str) -> list[str]:
    """The identities of a `covers:` value."""
    return [c for c in text.split(COVERS_SEPARATOR) if c] if text else []


REPEAT = " #"   # a view's k-th movement of one identity: `refund <交易号> 10.00 #2` (books/repeats.py)


def repeated(name: str, k: int) -> str:
    """The name of the k-th movement (in time order) that a view names `name`: `name`
    itself, then `name #2`, `name #3`…"""
    return name if k == 1 else f"{name}{REPEAT}{k}"


def first_name(name: str) -> str:
    """The name repeated() numbered: `refund T 10.00` of `refund T 10.00 #2`."""
    head, sep, k = name.rpartition(REPEAT)
    return head if sep and k.isdigit() else name


def identities(entry) -> list[str]:
    """identity() and, for a transaction, what its `covers:` names."""
    if not isinstance(entry, data.Transaction):
        return [identity(entry)]
    return transaction_identities(entry.meta)


def transaction_identities(meta: dict) -> list[str]:
    """identities() of a transaction, from its metadata; of a new entry also the ids
    earlier releases gave its row (`_was`, a tuple, hidden, never written:
    wallet.with_ids), one of which books written by such a release hold."""
    return [meta["id"], *covered(meta.get("covers", "")), *meta.get("_was", ())]


def unknown_part(entry, known: set[str], ids: list[str] | None = None):
    """The part of `entry` that `known` (identities already booked) does not hold: the
    entry itself, None, or (see above) the entry without its fee, or its fee alone.
    `ids`: identities(entry), where the caller has them already."""
    ids = identities(entry) if ids is None else ids
    part = entry.meta.get("_fee_part") if isinstance(entry, data.Transaction) else None
    fee_id = part[0] if part else None
    rest_known = any(i in known for i in ids if i != fee_id)
    fee_known = fee_id is not None and fee_id in known
    if not rest_known and not fee_known:
        return entry
    if rest_known and (fee_id is None or fee_known):
        return None
    fee_id, fee_meta, fees, clearing = part
    fee = sum((p.units.number for p in entry.postings if p.account == fees), Decimal(0))
    if rest_known:  # the fee alone, as the fund view books it
        meta = {k: v for k, v in entry.meta.items() if k in ("filename", "lineno", "time")}
        meta.update({"id": fee_id, **fee_meta, "order-id": entry.meta.get("order-id")})
        meta = {k: v for k, v in meta.items() if v is not None}
        postings = [p for p in entry.postings if p.account == fees]
        postings.append(postings[0]._replace(account=clearing, units=postings[0].units._replace(number=-fee)))
        return entry._replace(meta=meta, narration=f"Fee of {entry.narration}", postings=postings)
    rest = COVERS_SEPARATOR.join(c for c in covered(entry.meta.get("covers", "")) if c != fee_id)
    meta = {k: rest if k == "covers" else v for k, v in entry.meta.items()
            if k != "_fee_part" and (k != "covers" or rest)}
    postings = [p for p in entry.postings if p.account != fees]
    at = next((i for i, p in enumerate(postings) if p.account == clearing), None)
    if at is None:  # the net was 0.00: no clearing posting was written
        fee_posting = next(p for p in entry.postings if p.account == fees)
        postings.insert(0, fee_posting._replace(account=clearing, units=fee_posting.units._replace(number=fee)))
    else:
        p = postings[at]
        postings[at] = p._replace(units=p.units._replace(number=p.units.number + fee))
    return entry._replace(meta=meta, postings=[p for p in postings if p.units.number != 0] or postings[:1])


def sort_key(entry) -> tuple:
    """Order within a month file: date; balance assertions (start of day) first; then
    time of day and id. Parsed back from text by books.block_key()."""
    if isinstance(entry, data.Balance):
        return (entry.date.isoformat(), 0, "", f"{entry.account} {entry.amount.currency}")
    if isinstance(entry, data.Price):
        return (entry.date.isoformat(), 0, "", f"price {entry.currency} {entry.amount.currency}")
    return (entry.date.isoformat(), 1, entry.meta.get("time", ""), entry.meta["id"])
