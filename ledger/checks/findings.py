"""Findings: what the checks report, and the policy that gives each its severity."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import datetime as dt
import os
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from beanclear.importers.toolkit.places import charged, currency_places

# Every code of DESIGN.md §5, in the order of its table, with its default severity.
DEFAULT_SEVERITY = {
    "order-unpaid": "error",
    "payment-without-order": "warning",
    "amount-mismatch": "error",
    "duplicate-charge": "error",
    "refund-unsynced": "error",
    "unsettled": "error",
    "payout-mismatch": "error",
    "payout-missing": "error",
    "bank-unmatched": "warning",
    "fee-gap": "error",
    "fx-gap": "warning",
    "refund-rate": "warning",
    "refund-surge": "warning",
    "statement-gap": "warning",  # the cause of deadlines that cannot be judged: one finding, not a cascade
    "stale-ack": "warning",  # an acknowledgment that matches no finding any more
}
CODES = tuple(DEFAULT_SEVERITY)
# The limits a code takes under `checks.<code>` beside `severity` (and `write_off`, of the
# codes resolve/writeoff.py writes off), each with its default: every check reads its own
# through limit(), and the config init writes lists them (setup/writer.py).
MIN_HISTORY = 7    # days of history before a day can surge (refund-surge: its `days` at least this)
DEFAULT_LIMITS = {
    "fee-gap": {"tolerance": Decimal("0.01")},               # in the fee's currency
    "fx-gap": {"tolerance_bps": Decimal(50)},                # off the reference rate, in basis points
    "refund-rate": {"max": Decimal("0.10"), "days": 7},      # refunds over sales in a window of days
    # a day's refunds above factor times the mean of the days before, of min_count refunds and min_amount at least
    "refund-surge": {"factor": Decimal(3), "days": 28, "min_count": 3, "min_amount": Decimal(100)},
}
LIMITS = {code: tuple(limits) for code, limits in DEFAULT_LIMITS.items()}
# The codes a write-off resolves (`checks.<code>.write_off`, resolve/writeoff.py): code ->
# (the account it posts to, or None for the one its finding implies: a fee-gap's fee account,
# an order-unpaid's shop's sales account; the limit above which it needs a reason, in the
# finding's currency). An order nobody paid (cancelled in the shop) is a sale taken out of
# the books, never a small difference: its limit is 0, so it always asks a reason and stays
# listed with it.
WRITE_OFF_DEFAULTS = {
    "payout-mismatch": ("Expenses:Fees:Bank", Decimal("10")),
    "fee-gap": (None, Decimal("5")),
    "fx-gap": ("Expenses:FX", Decimal("10")),
    "amount-mismatch": ("Expenses:Rounding", Decimal("1")),
    "order-unpaid": (None, Decimal("0")),
}
UNNAMED = {"beancount", "stale-ack"}   # fixed in the books, never acknowledged
RATE_CODES = {"fx-gap"}  # whose `expected` and `actual` are exchange rates, not money: never rounded to a currency
RATE_DIGITS = 6  # significant digits of an exchange rate as shown: 0.1 bps of it and finer, the gap's own precision
SEVERITIES = ("error", "warning", "off")


def unpaid_order(finding) -> bool:
    """An order-unpaid of an order nobody paid: a deadline's finding, which coverage holds
    back, by_deadline dates and one cause may take in. Not one of an order written off
    unpaid that money came for since (`paid_since`, checks/orders.py): the write-off is to
    take back, a finding dated the day the money came, of no deadline."""
    return finding.code == "order-unpaid" and not finding.paid_since


def shown_on(day: dt.date, sides) -> dt.date:
    """The day a finding of two sides on different days is dated: `day`, its first
    side's (a payout's, an order's first payment), while the other side showed the
    difference in the same month; else the day it did (`sides`: the day each other side
    first came, a payout's first bank credit, the order), in a month after `day`'s. A
    month's report lists the findings dated in it and `close` waits for them: a
    difference the later side shows after a month's end is the later month's (till then
    the payout was on its way, as the month's report says), never the earlier month's,
    which may be closed by then and whose report made at close is the record (DESIGN §2;
    blind13: a Stripe payout of 12-30 credited 0.50 short on 01-01, after December was
    closed, was in no month's record). Its write-off (resolve/writeoff.py: the later
    side's day) is then in the finding's month too. The day is the books', whatever
    months are closed: a re-run of a month gives the same. A finding that began in a
    month and grows after it (a payout's second credit, a second payment) keeps the month:
    its sides' first days decide."""
    later = max(sides, default=day)
    return later if (later.year, later.month) > (day.year, day.month) else day


def past_due(day: dt.date, days: int) -> dt.date:
    """The first day a deadline of `days` after `day` has passed: the checks find it from
    there (age > days). Up to the day before, the money or the order was within its days
    (a payout on its way, a charge still settling, an order not yet due)."""
    return day + dt.timedelta(days=days + 1)


def by_deadline(finding: "Finding", days: int) -> "Finding":
    """A deadline's finding (money unsettled, a payout missing, an order unpaid, a refund
    unsynced: `days` after its first side's day, `finding.date`) dated as shown_on dates a
    difference: that day, or the day the deadline passed (past_due) where that is in a
    later month; the first side's day kept as `due_from`. Till then it was within its days
    at its month's end, as that month's report says and its close recorded; a deadline that
    passed after the month closed is the later month's finding, never the closed month's
    (blind30: a payout of 06-30 credited late on 07-16, and a charge of 06-27 at T+10 never
    paid out, were dated in closed June; its re-run report changed and `close` blamed a
    merge or an edit). One already overdue at its month's end keeps its day and month."""
    day = shown_on(finding.date, [past_due(finding.date, days)])
    if day == finding.date:
        return finding
    # (named by its source and day where no statement id names it: the day it is dated)
    named = () if finding.refs == (f"{finding.source} {finding.date}",) else finding.refs
    return replace(finding, date=day, due_from=finding.date, refs=named)


def limit(config, code: str, key: str):
    """`checks.<code>.<key>` as the config says, else its default (DEFAULT_LIMITS)."""
    return config.checks[code].limits.get(key, DEFAULT_LIMITS[code][key])


@dataclass(frozen=True)
class Finding:
    """One problem the checks found. `amount` is the size of the gap, always positive."""

    code: str
    date: Any  # datetime.date
    source: str
    account: str
    amount: Decimal
    currency: str
    message: str
    refs: tuple[str, ...] = ()
    expected: Decimal | None = None
    actual: Decimal | None = None
    file: str | None = None
    line: int | None = None
    severity: str = "error"
    acknowledged: bool = False
    check: str = ""  # which check (reconcile.CHECKS) found it: the plugin that reports it
    # a follow-up in the books (checks/resolutions.py): state, owner, due, note
    follow_up: dict | None = field(default=None, compare=False, hash=False)
    # an fx-gap whose rate was in the merchant's favour: `amount` gained, not lost (the
    # month report's FX spread takes it off the losses)
    gained: bool = field(default=False, compare=False, hash=False)
    # a statement-gap whose refs name only the first few of the findings it takes in: the
    # refs of them all (the month report tells what waits in a gap from what was resolved)
    holds: tuple[str, ...] = field(default=(), compare=False, hash=False)
    # an order paid after its difference was written off (checks/orders.py): `write-off`
    # again books the change, and the finding says so (checks/resolutions.py)
    paid_since: bool = field(default=False, compare=False, hash=False)
    # a finding a write-off above the limit acknowledges: where it went and why, as the
    # month report gives an acknowledgment's reason (checks/resolutions.py)
    written_off: str = field(default="", compare=False, hash=False)
    # a deadline's finding dated the day its deadline passed, in a later month than its
    # first side (by_deadline): that side's day, what its age counts from (a charge's money, a
    # payout, an order); None where the finding is dated that day
    due_from: Any = field(default=None, compare=False, hash=False)

    @property
    def first_day(self):
        """The day the finding is of: its first side's (due_from), else its date."""
        return self.due_from or self.date

    def __post_init__(self):
        # Amounts are rounded to the currency (DESIGN §5), here once for every check:
        # a ratio or an average never shows 28 digits, in text or in JSON.
        for name in ("amount",) if self.code in RATE_CODES else ("amount", "expected", "actual"):
            value = getattr(self, name)
            if isinstance(value, Decimal) and value.is_finite():
                object.__setattr__(self, name, to_currency(value, self.currency))
        if self.code != "beancount":   # Beancount's own errors as they are: "(0.0000015780 JPY)", not "(0 JPY)"
            object.__setattr__(self, "message", rounded_message(self.message))
        if not self.refs and self.source and self.date and self.code not in UNNAMED:
            # a finding no statement id names (a statement-gap's days, a refund rate) is
            # named by its source and day, so that it can be acknowledged or followed up
            # (`beanclear ack statement-gap "usbank 2026-05-28"`) and a month with it closed
            object.__setattr__(self, "refs", (f"{self.source} {self.date}",))

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "severity": self.severity, "date": self.date.isoformat() if self.date else None,
            "source": self.source, "account": self.account,
            "amount": _text(self.amount) if self.currency else None, "currency": self.currency,   # (no money: null)
            "expected": _text(self.shown("expected")), "actual": _text(self.shown("actual")),
            "refs": list(self.refs), "message": self.message,
            # being followed up, it does not fail CI but no one acknowledged it (README "Follow up")
            "file": self.file, "line": self.line, "acknowledged": acknowledged(self),
            **({"follow_up": self.follow_up} if self.follow_up else {}),
        }

    def shown(self, name: str) -> Decimal | None:
        """`expected` or `actual` as the JSON and the export give it: a rate (RATE_CODES)
        as shown_rate shows it; money as it is, rounded to its currency already. The
        finding keeps the rate itself (a write-off reads which side of the reference it is)."""
        value = getattr(self, name)
        return shown_rate(value) if self.code in RATE_CODES and value is not None else value

    @property
    def sort_key(self):
        return (self.date or dt.date.min, self.code, self.source, self.refs)


def following_up(f: Finding) -> bool:
    """Followed up, before its due date (checks/resolutions.py): not failing CI, not acknowledged."""
    return (f.follow_up or {}).get("state") == "following up"


def acknowledged(f: Finding) -> bool:
    """Acknowledged (or resolved by hand): counted and listed as acknowledged. A finding
    followed up before its due date passes CI too, but it is counted as following up."""
    return f.acknowledged and not following_up(f)


def standing(f: Finding) -> str:
    """What a person did about a finding, as `beanclear check` and the Fava page both say it:
    "following up (bob, due 2026-04-30)", "overdue (…)", "resolved by hand (note)",
    "acknowledged", or "" (nothing yet). From the follow-up state checks/resolutions.py gave it."""
    up = f.follow_up or {}
    if up.get("state") in ("following up", "overdue"):   # (else done, or acknowledged since)
        return f"{up['state']} ({up['owner']}, due {up['due']})"
    if up.get("state") == "resolved":
        return f"resolved by hand ({up['note']})" if up.get("note") else "resolved by hand"
    return "acknowledged" if f.acknowledged else ""


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def shown_rate(rate: Decimal) -> Decimal:
    """An exchange rate as every message, JSON and export shows it: at most RATE_DIGITS
    significant digits, no trailing zeros, never an exponent (`1.0133` of a posting's
    `-135.48 EUR @@ 137.28 USD`, which Beancount makes 1.013286093888396811337466785;
    a stated `7.0500` as 7.05, beside its reference 7.1234). The checks judge the rate
    itself: this is its printing only."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or not rate:
        return rate
    places = rate.adjusted() - RATE_DIGITS + 1
    if rate.as_tuple().exponent < places:
        rate = rate.quantize(Decimal(1).scaleb(places), ROUND_HALF_UP)
    rate = rate.normalize()
    return rate.quantize(Decimal(1)) if rate.as_tuple().exponent > 0 else rate


def rate_text(rate: Decimal) -> str:
    """A rate in a message: shown_rate's figure as text (`EUR→USD at 1.01329`)."""
    return f"{shown_rate(rate):f}"


def to_currency(value: Decimal, currency: str, channel: str | None = None) -> Decimal:
    """`value` to the currency's minor unit, half up: 2 places, 0 for JPY, 3 for KWD (the
    toolkit's `charged`, the one rounding of money to its places); `channel`, the type of
    the channel that moves it, to the unit it moves (PayPal's HUF: whole forints)."""
    return charged(value, currency, channel)


# Every check writes money in a message as `<number> <CUR>` (`1,234.5678 CNY`).
_MONEY_IN_TEXT = re.compile(r"(?<![\w.])(-?\d[\d,]*\.\d+) ([A-Z]{3})\b")


def rounded_message(message: str) -> str:
    """Each `<number> <CUR>` of a message rounded to that currency, thousands separated:
    `refunds 298.0000000000000000000000000 CNY` -> `refunds 298.00 CNY`."""
    def rounded(m: re.Match) -> str:
        value = to_currency(Decimal(m.group(1).replace(",", "")), m.group(2))
        places = currency_places(m.group(2))
        grouped = "," in m.group(1)
        return f"{value:{',' if grouped else ''}.{places}f} {m.group(2)}"
    return _MONEY_IN_TEXT.sub(rounded, message)


def at_entry(entry) -> dict[str, Any]:
    """The file and line of an entry, for a finding's `file`/`line`."""
    meta = getattr(entry, "meta", None) or {}
    return {"file": meta.get("filename"), "line": meta.get("lineno")}


class FindingError(NamedTuple):
    """A finding of severity error as a Beancount error, so bean-check and Fava show it."""

    source: dict
    message: str
    entry: Any
    finding: Finding


def apply_policy(findings: list[Finding], config, closed: dict | None = None) -> list[Finding]:
    """Give each finding its configured severity; drop those switched off; show files
    relative to the config's folder, as a person types them.

    `review_threshold` makes any finding at least that large an error, whatever its
    code's own severity (a gap that large needs a person, not a glance).

    A finding dated in a closed month is judged by the policy its close recorded
    (`closed`: month -> Policy, closed_policies), not by today's config: a month closed
    clean stays clean when `review_threshold` or a `checks.<code>.severity` changes
    later (DESIGN §2 "Closed periods stay closed"), and later closes are not blocked by
    it; the config in force judges the open months. A code the close did not record (one
    a later beanclear added) is judged by the config.
    """
    out = []
    current = Policy.of(config)
    for finding in findings:
        policy = closed.get(finding.date.strftime("%Y-%m")) if closed and finding.date else None
        severity = severity_of(finding, config, policy or current)
        if severity == "off":
            continue
        out.append(replace(finding, severity=severity, file=relative(finding.file, config.root)))
    return sorted(out, key=lambda f: f.sort_key)


def severity_of(finding: Finding, config, policy: "Policy | None" = None) -> str:
    """A finding's severity by `policy` (a closed month's), else by the config."""
    policy = policy or Policy.of(config)
    severity = policy.severities.get(finding.code) or config.checks[finding.code].severity
    if severity != "off" and policy.threshold is not None and finding.amount >= policy.threshold:
        severity = "error"
    return severity


@dataclass(frozen=True)
class Policy:
    """What gives a finding its severity: `review_threshold` (None: none) and each code's
    severity. `close` writes the one in force into its directive (meta) and the findings
    of the closed month are judged by it from then on (apply_policy):

        2026-01-31 custom "beanclear-close" "2026-01"
          closed-by: "alice"
          review-threshold: "500"
          errors: "order-unpaid amount-mismatch …"
          warnings: "payment-without-order bank-unmatched …"
          off: "fx-gap"
    """

    threshold: Decimal | None
    severities: dict = field(default_factory=dict, hash=False)   # code -> severity

    @classmethod
    def of(cls, config) -> "Policy":
        return cls(config.review_threshold, {code: config.checks[code].severity for code in CODES})

    def meta(self) -> list[tuple[str, str]]:
        """(key, text) of the close directive's metadata that record it; `off` only where a code is."""
        threshold = "none" if self.threshold is None else f"{self.threshold:f}"
        out = [(_THRESHOLD, threshold)]
        for severity in SEVERITIES:
            codes = [code for code in CODES if self.severities.get(code) == severity]
            if codes or severity != "off":
                out.append((_LISTS[severity], " ".join(codes)))
        return out

    @classmethod
    def from_meta(cls, meta) -> "Policy | None":
        """The policy a close directive records, or None: one closed before closes
        recorded it (or its review-threshold edited out of shape) is judged by the
        config, as it always was."""
        if _THRESHOLD not in (meta or {}):
            return None
        raw = meta[_THRESHOLD]
        if isinstance(raw, str) and raw.strip().lower() == "none":
            threshold = None
        else:
            try:
                threshold = Decimal(str(raw).strip())
            except ArithmeticError:
                return None
            if not threshold.is_finite():
                return None
        severities = {}
        for severity in SEVERITIES:
            for code in str(meta.get(_LISTS[severity]) or "").split():
                if code in DEFAULT_SEVERITY:
                    severities[code] = severity
        return cls(threshold, severities)


_THRESHOLD = "review-threshold"
_LISTS = {"error": "errors", "warning": "warnings", "off": "off"}


def closed_policies(customs) -> dict[str, Policy]:
    """Month -> the policy its close recorded, of each month closed now (its last
    beanclear-close after its last beanclear-reopen: both dated the month's last day, so
    the books' order is the file's) that recorded one: apply_policy's `closed`."""
    from beanclear.checks.directives import CLOSE, REOPEN
    out: dict[str, Policy] = {}
    for entry in customs:
        if entry.type not in (CLOSE, REOPEN) or not entry.values:
            continue
        month = str(entry.values[0].value)
        policy = Policy.from_meta(entry.meta) if entry.type == CLOSE else None
        if policy is None:
            out.pop(month, None)
        else:
            out[month] = policy
    return out


def relative(path: str | None, root) -> str | None:
    if not path or root is None or not os.path.isabs(path):
        return path
    return os.path.relpath(path, root)


SHORT = 200  # characters of a finding's message in its Beancount error


def short_message(finding: Finding) -> str:
    """`code: message`, cut to SHORT characters: Fava embeds every error in every page it
    serves, so an error says what and where; the full finding (refs, amounts, the whole
    message) is in `beanclear check` and on the Reconciliation page."""
    text = f"{finding.code}: {finding.message}"
    return text if len(text) <= SHORT else text[:SHORT - 1].rstrip() + "…"


def as_errors(findings) -> list[FindingError]:
    """The findings that must fail bean-check, as Beancount errors: one per finding that
    is an error, with a short message and a source of file and line only."""
    return [FindingError({"filename": f.file or "<beanclear>", "lineno": f.line or 0},
                         short_message(f), None, f)
            for f in findings if f.severity == "error" and not f.acknowledged]
