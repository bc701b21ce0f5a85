"""Matching on a generated quarter with known answers: batched payouts, split
credits, counterparties the bank renames, dates shuffled within the window, and
lines with no counterpart. Every payout must be linked to its own bank line(s),
none wrongly, and only the lines without a counterpart may stay unexplained."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from beancount.core import data
from beancount.core.amount import Amount

from beanclear import config as config_mod
from beanclear import matching
from beanclear.checks import reconcile

CONFIG = """\
channels:
  wechat: {type: wechat, settlement_days: 30, bank: ops, bank_days: 3}
  stripe_eu: {type: wechat, settlement_days: 30, bank: ops, bank_days: 3, payout_memo: "^$"}
  paypal_us: {type: wechat, settlement_days: 30, bank: ops, bank_days: 3, payout_memo: "^$"}
banks:
  ops: {type: csv, account: Assets:Bank:Ops, columns: {date: d, amount: a}}
match:
  aliases:
    wechat: [财付通, TENPAY]
    stripe_eu: [STRIPE PAYMENTS EUROPE]
    paypal_us: [PAYPAL PTE]
"""
TITLES = {"wechat": "WeChat", "stripe_eu": "StripeEu", "paypal_us": "PaypalUs"}
BANK_NAMES = {"wechat": ["财付通支付科技有限公司", "TENPAY PAYMENT"], "stripe_eu": ["STRIPE PAYMENTS EUROPE LTD"],
              "paypal_us": ["PAYPAL PTE LTD"]}


def txn(date, payee, narration, meta, postings, links=()):
    full = data.new_metadata("<quarter>", 0)
    full.update(meta)
    return data.Transaction(full, date, "*", payee, narration, frozenset(), frozenset(links),
                            [data.Posting(a, Amount(n, "CNY"), None, None, None, {"filename": "<quarter>", "lineno": 0})
                             for a, n in postings])


def quarter(seed: int):
    """Entries, and the truth: bank ref -> the payout ids it settles (empty: no counterpart)."""
    rng = random.Random(seed)
    entries, truth, payouts = [], {}, []
    start = dt.date(2026, 1, 1)
    for day in range(88):
        for name in TITLES:
            if rng.random() < 0.7:
                pid = f"{name[:2].upper()}{day:03d}{rng.randrange(10**6):06d}"
                amount = Decimal(rng.randrange(5_000, 2_000_000)) / 100
                date = start + dt.timedelta(days=day)
                entries.append(txn(date, name, "Withdrawal", {"id": f"F{pid}", "payout-id": pid},
                                   [(f"Assets:Transit:{TITLES[name]}", amount),
                                    (f"Assets:Clearing:{TITLES[name]}", -amount)], [f"payout-{pid}"]))
                payouts.append((date, amount, pid, name))
    rng.shuffle(payouts)
    n = 0

    def line(date, amount, payee, memo, settles):
        nonlocal n
        n += 1
        ref = f"B{n:05d}"
        entries.append(txn(date, payee, memo, {"id": ref},
                           [("Assets:Bank:Ops", amount), ("Assets:Suspense", -amount)]))
        truth[ref] = settles

    by_channel_day = defaultdict(list)
    for p in payouts:
        by_channel_day[(p[3], p[0])].append(p)
    used = set()
    for date, amount, pid, name in payouts:
        if pid in used:
            continue
        used.add(pid)
        arrive = date + dt.timedelta(days=rng.randrange(0, 3))
        kind = rng.random()
        partner = next((p for p in by_channel_day[(name, date)] if p[2] not in used), None)
        if kind < 0.15 and partner:  # the bank batches two payouts of the day
            used.add(partner[2])
            line(arrive, amount + partner[1], rng.choice(BANK_NAMES[name]), "BATCH SETTLEMENT", {pid, partner[2]})
        elif kind < 0.25 and amount > 100:  # one payout arrives in two parts
            first = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
            line(arrive, first, BANK_NAMES[name][0], "PART 1", {pid})
            line(arrive + dt.timedelta(days=1), amount - first, BANK_NAMES[name][0], "PART 2", {pid})
        elif kind < 0.55:  # the memo quotes the payout id
            line(arrive, amount, "某银行代收", f"提现 {pid}", {pid})
        else:  # renamed counterparty, no id
            line(arrive, amount, rng.choice(BANK_NAMES[name]), "TRANSFER", {pid})
    for k in range(12):  # lines with no counterpart
        line(start + dt.timedelta(days=rng.randrange(90)), Decimal(rng.randrange(100, 900_000)) / 100 + Decimal("0.07"),
             f"某某客户{k}", "转账", set())
    return entries, truth


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return config_mod.load(path)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_payout_linked_to_its_own_line_and_nothing_wrongly(config, seed):
    entries, truth = quarter(seed)
    proposals = matching.match(entries, config)
    linked: dict[str, set[str]] = defaultdict(set)
    for p in proposals:
        assert p.confident, (p.stage, p.reasons, p.alternatives)
        for line in p.lines:
            linked[line.ref] |= {i.link[len("payout-"):] for i in p.items}
    wrong = {ref: got for ref, got in linked.items() if got != truth[ref]}
    assert wrong == {}
    missing = {ref for ref, settles in truth.items() if settles and ref not in linked}
    assert missing == set()
    unexplained = {ref for ref, settles in truth.items() if not settles}
    assert not unexplained & set(linked)


def test_after_apply_only_the_lines_without_counterpart_are_unmatched(config):
    entries, truth = quarter(4)
    proposals = matching.match(entries, config)
    relinked = []
    moved = {id(l.entry): p for p in proposals for l in p.lines}
    extra = {id(i.entries[0]): p for p in proposals for i in p.items}
    for entry in entries:
        p = moved.get(id(entry))
        if p is not None:
            links = entry.links | {i.link for i in p.items}
            postings = [q._replace(account=p.account) if q.account == config.suspense else q for q in entry.postings]
            entry = entry._replace(links=frozenset(links), postings=postings)
        relinked.append(entry)
    found = reconcile.find(relinked, config)
    unmatched = sorted(f.refs[0] for f in found if f.code == "bank-unmatched")
    assert unmatched == sorted(ref for ref, settles in truth.items() if not settles)
    # (the quarter has no sales, so clearing is overdrawn: only transit matters here)
    assert [f for f in found if f.code in ("payout-missing", "payout-mismatch")
            and f.account.startswith("Assets:Transit:")] == []
