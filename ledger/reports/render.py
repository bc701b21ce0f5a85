"""The period report as text (for a terminal) and as JSON (for programs).

The JSON shape is stable; money is a string of the exact Decimal with the currency's
places (`"0.00"`, `"3.50"`; a value the books hold to more places keeps them), and the
amount of a finding of no money (a statement-gap's days, a stale acknowledgment) is null:

    {"title": "...", "period": "2026-03", "start": "2026-03-01", "end": "2026-03-31",
     "banks": [{"name", "account", "currency", "statement_date", "statement_balance",
                "books_balance", "difference", "unexplained", "unexplained_gaps": [{"first", "last"}],
                "uncovered": [{"first", "last"}], "open_items": [ITEM], "in_transit": [ITEM],
                "unexplained_lines": [ITEM], "fx_spread": [ITEM]}],
     "channels": [{"name", "currency", "sales", "refunds", "chargebacks", "fees", "fee_rate", "fx_spread",
                   "settled", "in_transit", "in_clearing", "discounts", "converted", "written_off", "other",
                   "brought_forward", "duplicates", "duplicates_returned"}],
     "findings": [{"status": "open|following up|acknowledged|resolved", "code", "severity", "date",
                   "source", "amount", "currency", "refs", "message", "resolution"}],
     "summary": {"open": n, "following_up": n, "acknowledged": n, "resolved": n}}
    ITEM = {"kind", "date", "description", "amount", "currency", "refs"}

`uncovered`: the month's days no statement of the bank covers (its statement-gap, or
the days after its last statement): the books hold none of their lines, so the month is
not reconciled over them, whatever the balances say. An in-transit ITEM's kind says what the money is (period._open_payouts): in-transit (a
payout on its way), payout-missing, credited-late (past its bank_days at month end, credited after
it), arrived-late, payout-mismatch, statement-gap, credited-before-payout
(a bank credit of the month whose payout the books date after it, its date that payout's),
earlier-transit, unexplained-transit, credited-without-payouts, credit-in-statement-gap. `fx_spread`: the FX spread of the
conversions the bank made in the month (a payout it converted, a transfer between own
accounts), one ITEM of kind fx-spread per currency the fx-gaps are measured in, with
their refs (period._bank_spreads); a channel's is its row's `fx_spread`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

from beanclear.importers.toolkit.places import in_places
from beanclear.importers.toolkit.places import shown as money_text
from beanclear.reports.period import PeriodReport

# "following up": followed up before its due date (checks/resolutions.py), neither open nor
# acknowledged; overdue, it is open
STATUSES = ("open", "following up", "acknowledged", "resolved")
# A channel row's figures in the order every renderer shows them: the figures the report
# always had where they were (a sheet's formulas and a reader of the text keep their
# columns), then those that make the row tie out (TIE_OUT, period.ChannelRow); the fee
# rate and the FX spread are no money that moved.
CHANNEL_FIGURES = ("sales", "refunds", "chargebacks", "fees", "fee_rate", "fx_spread", "settled", "in_transit",
                   "in_clearing", "discounts", "converted", "written_off", "other", "brought_forward", "duplicates",
                   "duplicates_returned")
TIE_OUT = ("each row ties out: brought forward + sales - refunds + duplicates - duplicates returned - chargebacks "
           "- fees - discounts + converted - written off + other - settled = in transit + in clearing")


def channel_label(figure: str) -> str:
    """A channel figure's column head: `written_off` -> "written off", `fx_spread` -> "FX spread"."""
    return "FX spread" if figure == "fx_spread" else figure.replace("_", " ")


def channel_cells(c) -> list[str]:
    """A channel row's figures as text and PDF show them, in CHANNEL_FIGURES' order."""
    return [(f"{c.fee_rate * 100:.2f}%" if c.fee_rate is not None else "-") if k == "fee_rate"
            else shown(getattr(c, k), c.currency) for k in CHANNEL_FIGURES]


def _s(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def money(value, currency: str) -> str | None:
    """Money as the JSON gives it: exact, with the currency's places at least (a zero
    sum printed "0" beside "0.00"-style amounts)."""
    return None if value is None else f"{in_places(value, currency):f}"


def shown(value, currency: str) -> str:
    """Money as text and PDF show it: rounded to the currency, its thousands grouped."""
    if value is None:
        return "-"
    return money_text(value, currency)


def _item(i) -> dict:
    return {"kind": i.kind, "date": _s(i.date), "description": i.description, "amount": money(i.amount, i.currency),
            "currency": i.currency, "refs": list(i.refs)}


def to_dict(r: PeriodReport) -> dict:
    return {
        "title": r.title, "period": r.period, "start": _s(r.start), "end": _s(r.end),
        "banks": [{"name": b.name, "account": b.account, "currency": b.currency,
                   "statement_date": _s(b.statement_date),
                   "statement_balance": money(b.statement_balance, b.currency),
                   "books_balance": money(b.books_balance, b.currency), "difference": money(b.difference, b.currency),
                   "unexplained": money(b.unexplained, b.currency),
                   "unexplained_gaps": [{"first": _s(first), "last": _s(last)} for first, last in b.gaps],
                   "uncovered": [{"first": _s(first), "last": _s(last)} for first, last in b.uncovered],
                   "open_items": [_item(i) for i in b.open_items],
                   "in_transit": [_item(i) for i in b.in_transit],
                   "unexplained_lines": [_item(i) for i in b.unexplained_lines],
                   "fx_spread": [_item(i) for i in b.fx_spread]} for b in r.banks],
        "channels": [{"name": c.name, "currency": c.currency,
                      **{k: _s(c.fee_rate) if k == "fee_rate" else money(getattr(c, k), c.currency)
                         for k in CHANNEL_FIGURES}} for c in r.channels],
        "findings": [{"status": f.status, "code": f.code, "severity": f.severity, "date": _s(f.date),
                      "source": f.source, "amount": money(f.amount, f.currency), "currency": f.currency,
                      "refs": list(f.refs),
                      "message": f.message, "resolution": f.resolution} for f in r.findings],
        "summary": summary(r),
    }


def dated(r: PeriodReport) -> dt.datetime:
    """When an XLSX or PDF report says it was made: its period's last day, never the
    clock, so that the same books give the same bytes (the report made at close is
    committed; a run again is no diff)."""
    return dt.datetime.combine(r.end, dt.time())


def summary(r: PeriodReport) -> dict[str, int]:
    """How many findings of each status, keyed as the JSON is (`following_up`)."""
    counts = Counter(f.status for f in r.findings)
    return {s.replace(" ", "_"): counts[s] for s in STATUSES}


def counted(r: PeriodReport) -> str:
    """The findings' counts as text and PDF head them: `1 open, 0 following up, …`."""
    return ", ".join(f"{n} {s}" for s, n in zip(STATUSES, summary(r).values()))


def to_json(r: PeriodReport) -> str:
    return json.dumps(to_dict(r), ensure_ascii=False, indent=1)


def _m(value, currency: str) -> str:
    return shown(value, currency) + (f" {currency}" if value is not None else "")


def gap_days(gaps) -> str:
    """The days of a bank's statement-gaps: `2026-03-16 to 2026-03-22, 2026-03-25`."""
    return ", ".join(f"{first}" if first == last else f"{first} to {last}" for first, last in gaps)


def gap_text(gaps) -> str:
    """What a bank's unexplained remainder comes from, said."""
    return f"statement-gap: no statement covers {gap_days(gaps)} (their lines are not in the books)"


def uncovered_text(uncovered) -> str:
    """The month's days no statement of a bank covers, said (period.uncovered_days)."""
    return f"statement-gap: no statement covers {gap_days(uncovered)} (the books hold none of their lines: " \
        "not reconciled over them)"


def transit_text(i) -> str:
    """What a bank's money in transit at month end is, said (period._open_payouts)."""
    refs = f" ({' '.join(i.refs)})" if i.refs else ""
    said = {"in-transit": ("on its way", f", payout of {i.date}"),
            "payout-missing": ("payout-missing", f", payout of {i.date}, never reached the bank"),
            "arrived-late": ("reached the bank late, it appears", f", payout of {i.date} and the bank credit the "
                             "check takes for it, not linked (`beanclear link` them: `beanclear check`)"),
            "credited-late": ("overdue at month end", f", payout of {i.date}, past its `bank_days` then; the bank "
                              "credited it after the month's end"),
            "payout-mismatch": ("payout-mismatch", ", not on its way"),
            "credited-before-payout": ("arrived before its payout is booked", f", the bank's credit of the payout of "
                                       f"{i.date}"),
            "earlier-transit": (f"held since before {i.date + dt.timedelta(days=1)}", ", not on its way"),
            "statement-gap": ("in a statement-gap", f", payout of {i.date}, its credit may be in days no statement "
                              "of the bank covers"),
            "credited-without-payouts": ("credited, payouts in no statement", ": bank credits its statements "
                                         "show no payouts for"),
            "credit-in-statement-gap": ("in a statement-gap", f", a bank credit of {i.date}, its payout may be in days "
                                        "no statement of the channel covers"),
            }.get(i.kind, ("in transit, unexplained", ""))
    return f"{said[0]}: {_m(i.amount, i.currency)} in {i.description}{said[1]}{refs}"


def spread_text(i) -> str:
    """What a bank's FX spread is, said (period._bank_spreads)."""
    return f"the month's fx-gaps of its conversions, in the rates, in no balance: {' '.join(i.refs)}"


def to_text(r: PeriodReport) -> str:
    lines = [f"{r.title or 'Reconciliation'}: reconciliation report {r.period} ({r.start} to {r.end})", ""]
    lines.append("Banks: statement vs books")
    for b in r.banks:
        lines.append(f"  {b.name} ({b.account}, {b.currency})")
        stated = f"{_m(b.statement_balance, b.currency)} (balance of {b.statement_date})" \
            if b.statement_balance is not None else "- (no statement balance up to month end)"
        lines.append(f"    statement closing balance  {stated}")
        if b.uncovered:
            lines.append(f"    {uncovered_text(b.uncovered)}")
        for i in b.open_items:
            lines.append(f"    + {i.date} {_m(i.amount, i.currency):>20}  {i.description}")
        if b.unexplained:
            lines.append(f"    + unexplained              {_m(b.unexplained, b.currency)}" +
                         (f"  {gap_text(b.gaps)}" if b.gaps else ""))
        lines.append(f"    = books balance            {_m(b.books_balance, b.currency)}")
        for i in b.fx_spread:
            lines.append(f"    FX spread                  {_m(i.amount, i.currency)}  ({spread_text(i)})")
        for i in b.in_transit:
            lines.append(f"    {transit_text(i)}")
        for i in b.unexplained_lines:
            lines.append(f"    unexplained line: {i.date} {_m(i.amount, i.currency)} {i.description}")
    lines += ["", "Channels"]
    head = ("channel", "cur", *map(channel_label, CHANNEL_FIGURES))
    rows = [head] + [(c.name, c.currency, *channel_cells(c)) for c in r.channels]
    widths = [max(len(row[k]) for row in rows) for k in range(len(head))]
    for row in rows:
        lines.append("  " + "  ".join(v.ljust(w) if k < 2 else v.rjust(w)
                                      for k, (v, w) in enumerate(zip(row, widths))))
    if r.channels:
        lines.append(f"  ({TIE_OUT})")
    lines += ["", "Findings: " + counted(r)]
    for f in r.findings:
        amount = f" {_m(f.amount, f.currency)}" if f.amount is not None else ""
        why = f" -> {f.resolution}" if f.resolution else ""
        lines.append(f"  {f.status:<12} {f.code:<22} {f.date} {f.source or '-':<8}{amount}: {f.message}{why}")
    return "\n".join(lines)
