"""The findings table and the review queue: which rows to show, and how a row names
what a decision is about. The decisions themselves are written by the library
(edits.apply for an accepted proposal, resolve/acknowledging.py and resolve/rejecting.py
for an acknowledgment or a rejection), exactly as the command line writes them."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass

from decimal import Decimal

from beanclear.checks.findings import CODES, acknowledged, to_currency
from beanclear.checks.items import REF_KEYS
from beanclear.importers.toolkit.places import currency_places

SHOWN = 500            # rows of a table rendered at most; the filters narrow the rest
QUEUE_SHOWN = 100
SEVERITIES = ("error", "warning")
ACKABLE = tuple(c for c in CODES if c != "stale-ack")   # a stale ack is fixed by removing it


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    """The findings table's filters, from the page's query string."""

    source: str = ""
    code: str = ""
    severity: str = ""
    start: dt.date | None = None
    end: dt.date | None = None          # inclusive
    acknowledged: bool = False          # show the acknowledged ones too (those followed up are always shown)

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(args.get("source", "").strip(), args.get("code", "").strip(),
                   args.get("severity", "").strip(), _date(args.get("from")), _date(args.get("to")),
                   args.get("acknowledged", "") == "shown")

    def keep(self, f, with_acknowledged: bool | None = None) -> bool:
        shown = self.acknowledged if with_acknowledged is None else with_acknowledged
        return ((not self.source or f.source == self.source) and (not self.code or f.code == self.code)
                and (not self.severity or f.severity == self.severity)
                and (self.start is None or (f.date is not None and f.date >= self.start))
                and (self.end is None or (f.date is not None and f.date <= self.end))
                and (shown or not acknowledged(f)))

    @property
    def narrows_proposals(self) -> bool:
        """Whether the filters that reach the match proposals (source, dates) are set."""
        return bool(self.source) or self.start is not None or self.end is not None

    def keep_proposal(self, proposal, accounts: dict) -> bool:
        """A match proposal, as a finding is kept: by source (its bank lines' bank, its
        items' channel or shop: the accounts config.yaml gives the source, `accounts`)
        and by date (one of its bank lines' days); code and severity are the findings'."""
        if self.source:
            own = accounts.get(self.source, ())
            touched = [line.bank_account for line in proposal.lines] + [i.account for i in proposal.items]
            if not any(a in own for a in [*touched, proposal.account]):
                return False
        return any((self.start is None or line.date >= self.start) and (self.end is None or line.date <= self.end)
                   for line in proposal.lines)

    def apply(self, findings) -> tuple[list, int]:
        """The findings to show, and how many acknowledged ones the toggle hides."""
        kept = [f for f in findings if self.keep(f)]
        hidden = 0 if self.acknowledged else sum(acknowledged(f) and self.keep(f, True) for f in findings)
        return kept, hidden


@dataclass
class Proposals:
    """The match proposals a rendering lists: those the filters keep, of open months
    first, the newest first (a blind accountant saw the first 100 of 175, oldest first,
    59 of a closed January, and not the April one they needed), at most QUEUE_SHOWN."""

    shown: list          # the rows listed
    kept: int            # how many the filters keep
    total: int           # how many the matcher made (the month's, on books carried forward)
    closed: int          # of those kept, how many are of closed months (listed last, not offered)
    confident: int       # of those kept, how many are confident
    filtered: bool       # whether the filters narrow them


def proposals(made: list, filters: Filters, accounts: dict, closed) -> Proposals:
    """The proposals to list (Proposals) of those `made`, in the matcher's order: kept
    by the filters (Filters.keep_proposal; `accounts`: config.source_accounts()), those
    of open months first (`closed(p)`: of a month closed: shown, not offered), each part
    the newest first (by its newest bank line; the matcher's order within a day)."""
    kept = [p for p in made if filters.keep_proposal(p, accounts)] if filters.narrows_proposals else list(made)
    shut = {id(p) for p in kept if closed(p)}
    ordered = sorted(kept, key=lambda p: (id(p) in shut, -max(line.date for line in p.lines).toordinal()))
    return Proposals(ordered[:QUEUE_SHOWN], len(kept), len(made), len(shut), sum(p.confident for p in kept),
                     filters.narrows_proposals)


def awaiting(findings) -> list:
    """Findings a person can acknowledge: unacknowledged, with a statement id to name,
    errors first, then the oldest."""
    out = [f for f in findings if not f.acknowledged and f.code in ACKABLE and f.refs]
    return sorted(out, key=lambda f: (f.severity != "error", f.sort_key))


def proposal_key(proposal) -> dict:
    """What names a proposal to the accept and reject endpoints (and in a rejection)."""
    return {"bank_refs": [line.ref for line in proposal.lines], "target": proposal.target}


def find_proposal(proposals, key: dict):
    refs, target = list(key.get("bank_refs") or []), key.get("target")
    return next((p for p in proposals if proposal_key(p) == {"bank_refs": refs, "target": target}), None)


def ref_filter(ref: str) -> str:
    """A Fava journal filter for the entries that carry a statement id, under any of
    the metadata keys the importers store ids in."""
    pattern = "^" + re.escape(ref).replace('"', r"\x22") + "$"
    return ", ".join(f'{key}:"{pattern}"' for key in REF_KEYS)


def source_path(root, file: str | None) -> str | None:
    """A finding's file (relative to the config's folder) as the absolute path Fava's
    editor opens."""
    if not file:
        return None
    return os.path.normpath(file if os.path.isabs(file) else os.path.join(root, file))


def money(value, currency: str, locale: str | None = None) -> str:
    """An amount as the page shows it: rounded to its currency's places, as check
    rounds findings (DESIGN §5: 2, 0 for JPY, 3 for KWD), not to the precision Fava
    infers from the books (GBP read to 4 places where the prices carry 4), in Fava's
    locale (`fava-option "locale"`: its grouping and decimal sign)."""
    return _formatter(locale, currency_places(currency))(to_currency(Decimal(value or 0), currency))


@functools.lru_cache(maxsize=64)
def _formatter(locale: str | None, places: int):
    from babel.core import Locale
    from fava.core.number import get_locale_format
    return get_locale_format(Locale.parse(locale) if locale else None, places)
