"""Problems injected at random places, each recorded with the ids the files will show.

Only what the shape allows: order codes need a shop, payout codes need a channel whose payouts
its downloaded statements show, fx-gap needs EUR. One cause is one problem: the payouts a
short bank statement cannot show are the statement-gap's consequences, not payout-missing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from .model import BankLine, PayoutReturn, Problem, money
from .writers import paypal as paypal_files
from .writers import stripe as stripe_files
from .writers.banks import states_period

SURGE = 5
SURGE_FLOOR = Decimal("100")   # truth.SURGE_FLOOR: the least a surge is above the usual


def injections(m, rng, ids):
    from .truth import _refundable, add_refund, fee_of, make_payment, order_of
    shape, S, E = m.shape, m.shape.start, m.shape.end
    inj = {"hold": defaultdict(set), "stop": {}, "gap": {}, "hole": {}, "bank_lines": defaultdict(list), "after_payouts": [], "after_banks": []}
    used = set()
    P = m.problems

    def pick(pool, lo, hi, cond=lambda p: True):
        c = [p for p in pool if id(p) not in used and lo <= p.dt.date() <= hi and cond(p)]
        if not c:
            return None
        p = rng.choice(c)
        used.add(id(p))
        return p

    def refs(p):
        return [x for x in (p.id, p.charge_id, *p.conv[:2]) if x]

    def with_order(p):
        o = order_of(m, p)
        return o is not None and id(o) not in used and p.currency == p.pres_currency

    def take_order(p):
        o = order_of(m, p)
        used.add(id(o))
        return o

    if shape.shops:
        od = max(s.order_days for s in shape.shops)
        # an order nobody paid: one whose payment was never refunded (a refund of nothing cannot be)
        p = pick(m.payments, S + timedelta(days=1), E - timedelta(days=od + 2),
                 lambda p: with_order(p) and not any(r.payment is p for r in m.refunds))
        if p:
            o = take_order(p)
            m.payments.remove(p)
            P.append(Problem("order-unpaid", o.shop, o.dt.date(), [o.id, o.ref]))
        p = pick(m.payments, S + timedelta(days=od + 2), E - timedelta(days=2), with_order)
        if p:
            o = take_order(p)
            o.exported = False
            P.append(Problem("payment-without-order", p.channel, p.dt.date(), refs(p) + [p.order_ref], objs=[p]))
        p = pick(m.payments, S + timedelta(days=1), E - timedelta(days=od + 2), with_order)
        if p:
            o = take_order(p)
            ch = shape.channel(p.channel)
            # The customer paid less; everything the channel derives from that (the settled
            # amount of a Stripe charge, PayPal's conversion) follows, so the files agree.
            p.pres_amount -= max(money(p.pres_amount * Decimal("0.1")), Decimal("1.00"))
            p.gross = money(p.pres_amount * p.rate) if p.rate and p.currency != p.pres_currency else p.pres_amount
            p.fee = fee_of(ch, p.gross, p.currency)
            if p.conv:
                p.conv = (p.conv[0], p.conv[1], money(p.net * p.rate))
            P.append(Problem("amount-mismatch", p.channel, p.dt.date(), refs(p) + [o.id, o.ref], objs=[p]))
        p = pick(m.payments, S + timedelta(days=1), E - timedelta(days=od + 2), with_order)
        if p:
            o = take_order(p)
            ch = shape.channel(p.channel)
            p2 = make_payment(m, ch, p.dt + timedelta(minutes=rng.randint(1, 9)), p.pres_amount, p.pres_currency,
                              p.order_ref, p.title, ids)
            if p2.dt.date() != p.dt.date():
                p2.dt = datetime.combine(p.dt.date(), time(23, 59, 30))
            m.payments.append(p2)
            used.add(id(p2))
            P.append(Problem("duplicate-charge", p.channel, p.dt.date(), refs(p) + refs(p2) + [o.id, o.ref], objs=[p, p2]))
        variants = ["shop", "channel"] if rng.random() < 0.3 else [rng.choice(["shop", "channel"])]
        for v in variants:
            # after the first 7 days: a refund-rate window that statements cover only in part is not judged
            # a channel refund only of a payment the channel can refund as the truth books it (_refundable)
            p = pick(m.payments, S + timedelta(days=7), E - timedelta(days=od + 4),
                     lambda p: with_order(p) and not any(r.payment is p for r in m.refunds)
                     and (v == "shop" or _refundable(m, p)))
            if not p:
                continue
            o = take_order(p)
            if v == "shop":
                o.refunded = o.amount
                P.append(Problem("refund-unsynced", o.shop, o.dt.date(), [o.id, o.ref] + refs(p), note="shop only", objs=[p]))
            else:
                r = add_refund(m, ids, p, min(p.dt + timedelta(hours=2), datetime.combine(p.dt.date(), time(22, 45))),
                               p.gross, shop_too=False)
                used.add(id(r))
                P.append(Problem("refund-unsynced", p.channel, r.dt.date(), [o.id, o.ref, r.id] + refs(p),
                                 note="channel only", objs=[p, r]))

    # statement-gap first: the other bank problems must fall inside what the bank shows
    bank_end = {b.name: E for b in shape.banks}
    hole = {}
    gb = rng.choice(shape.banks)
    if rng.random() < 0.5 and shape.days >= 28:     # a week in the middle no statement covers
        h1 = S + timedelta(days=rng.randint(9, shape.days - 17))
        hole[gb.name] = inj["hole"][gb.name] = (h1, h1 + timedelta(days=rng.randint(6, 8)))
        P.append(Problem("statement-gap", gb.name, h1, [], window=(h1 - timedelta(days=3), h1 + timedelta(days=3)),
                         sources=tuple(c.name for c in shape.channels if c.bank == gb.name)))
    else:                                           # the statement ends days before the channels'
        k = rng.randint(4, 6)
        bank_end[gb.name] = inj["gap"][gb.name] = E - timedelta(days=k)
        gap = Problem("statement-gap", gb.name, E - timedelta(days=k - 1), [], window=(E - timedelta(days=k + 1), E),
                      sources=tuple(c.name for c in shape.channels if c.bank == gb.name))
        P.append(gap)

        def gap_window():       # a finding may be dated at the last line the short statement holds
            last = max((l.day for l in m.bank_lines[gb.name]), default=S)
            gap.window = (min(last, gap.window[0]), E)
            # A statement that states no period (CMB's, BOC's, a csv but some Chinese ones;
            # ICBC's 截止日期 states it) ends at its last line: short by days in which no
            # payout was due to arrive, it looks like quiet days, and nothing waits for it.
            # No one could tell; not a problem the statements show. One that states its
            # period (a csv's 交易期间, seed 33263) is short by its own word: a gap.
            visible = all(c.payouts_visible for c in shape.channels if c.bank == gb.name)
            if not states_period(shape.seed, gb) and visible and not m.cut_credits.get(gb.name):
                P.remove(gap)
        inj["after_banks"].append(gap_window)

    def near_hole(bank, first, last):
        """Whether days first..last come near a bank's hole (its lines there are in no file)."""
        h = hole.get(bank)
        return bool(h) and first <= h[1] + timedelta(days=2) and last >= h[0] - timedelta(days=2)

    for ch in shape.channels:       # fee-gap: one payment per channel charged above the contract
        p = pick(m.payments, S, E, lambda p: p.channel == ch.name)
        if p:
            p.fee += money(Decimal("0.50") + p.gross * Decimal("0.005"))
            if p.conv:
                p.conv = (p.conv[0], p.conv[1], money(p.net * p.rate))
            P.append(Problem("fee-gap", p.channel, p.dt.date(), refs(p), objs=[p]))
    # a Stripe channel whose statements are the API's balance transactions: they give a
    # charge's rate, not the currency the customer paid in, so no rate can be judged
    fx = [c for c in shape.channels if c.eur
          and (c.type != "stripe" or stripe_files.names_presentment(shape.seed))]
    if fx:
        ch = rng.choice(fx)
        p = pick(m.payments, S, E, lambda p: p.channel == ch.name and p.pres_currency == "EUR")
        if p:
            p.rate = (m.rates[p.dt.date()] * Decimal("0.98")).quantize(Decimal("0.000001"))
            if ch.type == "stripe":
                p.gross = money(p.pres_amount * p.rate)
                p.fee = fee_of(ch, p.gross, p.currency)
            else:
                p.conv = (p.conv[0], p.conv[1], money(p.net * p.rate))
            P.append(Problem("fx-gap", p.channel, p.dt.date(), refs(p), objs=[p]))

    _refund_problems(m, rng, ids, used, P, add_refund)

    visible = [c for c in shape.channels if c.payouts_visible]
    if visible:
        # the channel stops paying out two days before the end: the days whose T+N payout never came
        # are overdue at the end. Under FIFO and under payout ids alike each such day is one group.
        ch = rng.choice(visible)
        stop = E - timedelta(days=2)
        inj["stop"][ch.name] = stop

        # payouts naming their items (Stripe's CSVs) or first in, first out (PayPal, Stripe's API)
        fifo = ch.type != "stripe" or not stripe_files.names_payouts(shape.seed)
        # a refund takes back its own payment's money, as it names its order: PayPal's
        # invoice, Stripe's order id or (the API) the order its description names

        def unsettled_truth():
            days = [stop - timedelta(days=ch.settlement_days - i) for i in range(2)]
            left = {d: sum((p.net for p in m.payments if p.channel == ch.name and p.dt.date() == d), Decimal(0))
                    for d in days}
            older = Decimal(0)   # refunded after the stop, of payments paid out before it
            for r in m.refunds:
                if r.channel != ch.name or r.payout is not None or r.dt.date() < days[0]:
                    continue
                if r.payment.dt.date() in left:
                    left[r.payment.dt.date()] -= r.net   # a refund takes its own payment's money back
                elif r.payment.dt.date() < days[0]:
                    older += r.net
            for d in m.disputes:   # a dispute won back from then on, paid out that evening beyond the
                # payout's days: first in, first out (no payout id: PayPal), it pays the oldest money out;
                # the money given back is itself money of its day, held in its place (seed 28024)
                if d.channel == ch.name and fifo and d.won and d.payout and d.dt.date() >= days[0]:
                    older += d.usd
                    if d.dt.date() in left:
                        left[d.dt.date()] += d.usd
            # A statement that states no period (all but Alipay's 账务明细, which the writers
            # give a preamble) ends at its last row: a day is seen unsettled only where a row
            # comes after its payout was due. Before that, no one could tell.
            last = max(x.dt.date() for x in [*m.payments, *m.refunds, *m.payouts] if x.channel == ch.name)
            # (and PayPal's Transaction Search responses: the days searched, to the end; seed 29785)
            states_period = ch.type == "alipay" or (ch.type == "paypal" and paypal_files.statement_format(shape.seed) == "api")

            def seen(d):
                return states_period or (last - d).days > ch.settlement_days

            def dated(d):
                # the money's day, or the day its settlement_days passed where that is in a
                # later month (README: a deadline that passed after its month closed is the
                # later month's finding): 04-27's money at T+3 is May's, dated 05-01
                due = d + timedelta(days=ch.settlement_days + 1)
                return due if (due.year, due.month) != (d.year, d.month) else d

            for d in days:   # first in, first out: the oldest money still held goes first
                used = min(older, max(left[d], Decimal(0)))
                left[d], older = left[d] - used, older - used
                if left[d] > 0 and seen(d):
                    P.append(Problem("unsettled", ch.name, d, [], window=(dated(d), dated(d))))
        inj["after_payouts"].append(unsettled_truth)

    def payout_problems():
        taken = set()

        def due(po):
            c = shape.channel(po.channel)
            # a payout whose amount another payout of the channel near it shares cannot be told
            # from that one at the bank (no id crosses over): no one could say which went astray
            twins = [o for o in m.payouts if o is not po and o.channel == po.channel and o.amount == po.amount
                     and abs((o.dt.date() - po.dt.date()).days) <= c.bank_days + 7]
            return (id(po) not in taken and po.dt.date() > S and c.payouts_visible and not twins
                    and po.dt.date() + timedelta(days=c.bank_days + 2) < bank_end[c.bank]
                    and not near_hole(c.bank, po.dt.date(), po.dt.date() + timedelta(days=c.bank_days + 7))
                    and not any(_held(inj, i) for i in po.items) and po.channel not in inj["stop"]
                    and not po.failed and not any(isinstance(i, PayoutReturn) for i in po.items))
        cands = [po for po in m.payouts if due(po)]
        if cands:
            po = rng.choice(cands)
            taken.add(id(po))
            if shape.channel(po.channel).type == "stripe" and stripe_files.names_payouts(shape.seed):
                # short of the items its statements name as its own (the API names none:
                # there the bank is paid less, as for PayPal)
                po.amount -= Decimal("1.50")
            else:
                po.bank_amount = po.amount - max(money(po.amount * Decimal("0.01")), Decimal("5.00"))
            pr = Problem("payout-mismatch", po.channel, po.dt.date(), [x for x in (po.id, po.txn_id) if x], objs=[po])
            P.append(pr)
            inj["after_banks"].append(lambda: pr.refs.append(po.bank_ref) if po.bank_ref else None)
        short = next((o for o in m.payouts if id(o) in taken and o.bank_amount is not None), None)

        def answers_short(po) -> bool:
            # a payout the short credit is nearer to than to its own, at the same bank in its
            # days, where no id crosses over: no one could say which went astray and which
            # arrived short (seed 34734: two PayPal accounts' 344.88 and 338.88 of a day, the
            # 344.88 credited 339.88 and the 338.88 never)
            c = shape.channel(po.channel)
            return short is not None and c.bank == shape.channel(short.channel).bank \
                and abs((po.dt.date() - short.dt.date()).days) <= c.bank_days + 7 \
                and abs(po.amount - short.bank_amount) <= abs(short.amount - short.bank_amount)
        cands = [po for po in m.payouts if due(po) and not answers_short(po)]
        if cands:
            po = rng.choice(cands)
            po.credited = False
            P.append(Problem("payout-missing", po.channel, po.dt.date(), [x for x in (po.id, po.txn_id) if x], objs=[po]))
    inj["after_payouts"].append(payout_problems)

    b = rng.choice(shape.banks)
    d = S + timedelta(days=rng.randint(1, (bank_end[b.name] - S).days - 1))
    if near_hole(b.name, d, d):     # a line nobody downloaded explains nothing and is no finding
        d = hole[b.name][1] + timedelta(days=3)
    ref = "" if b.type in ("icbc", "cmb", "boc") else f"{d:%y%m%d}{ids.digits(10)}"   # exports without a line id
    cny = b.currency == "CNY"
    inj["bank_lines"][b.name].append(BankLine(b.name, d, money(Decimal(rng.randint(20000, 300000)) / 100),
                                              "往来款" if cny else "INCOMING WIRE",
                                              "杭州青禾贸易有限公司" if cny else "ACME TRADING LTD", ref))
    P.append(Problem("bank-unmatched", b.name, d, [ref] if ref else [], window=None if ref else (d, d)))
    converting = [b for b in shape.banks if b.converts]
    if converting:
        inj["after_banks"].append(lambda: _converted_fx_gap(m, converting))
    return inj


def _converted_fx_gap(m, banks) -> None:
    """In half the merchants with a bank converting their payouts (shape._converting_bank),
    one converted credit at a rate 1.5-3 % below the day's reference, far beyond fx-gap's
    tolerance (50 basis points): its amount sent (`InstdAmt`) is the payout's, so the
    clearing check pairs it as any other, and the one problem is the bank's rate, an fx-gap
    of the bank naming its line. Not a credit another problem touches, a payout's credit in
    two parts, or one in days no statement covers. A stream of its own: other draws stay."""
    from .truth import bank_rate, in_hole
    rng = random.Random(f"converting fx-gap {m.shape.seed}")
    if rng.random() >= 0.5:
        return
    touched = {id(o) for p in m.problems for o in p.objs}
    payout = {po.bank_ref: po for po in m.payouts if po.bank_ref}
    lines = [(b, line) for b in banks for line in m.bank_lines[b.name]
             if line.sent is not None and line.ref in payout and id(payout[line.ref]) not in touched
             and not payout[line.ref].split_ref and payout[line.ref].bank_amount is None
             and not in_hole(m, b.name, line.day)]
    if not lines:
        return
    b, line = rng.choice(lines)
    line.xrate = bank_rate(m, b, line.day, Decimal(rng.randint(150, 300)) / 10000)
    line.amount = money(line.sent * line.xrate)
    m.problems.append(Problem("fx-gap", b.name, line.day, [line.ref]))


def _held(inj, item):
    return item.dt.date() in inj["hold"].get(item.channel, ())


def _refund_problems(m, rng, ids, used, P, add_refund):
    shape, S, E = m.shape, m.shape.start, m.shape.end
    chans = sorted(shape.channels, key=lambda c: -sum(1 for p in m.payments if p.channel == c.name))
    ok = lambda p: (id(p) not in used and p.currency == p.pres_currency and not p.conv
                    and not any(r.payment is p for r in m.refunds))
    surge_ch = chans[0]
    # the day with most refundable payments; refunded that evening, before the end-of-day payout
    lo = S + timedelta(days=8)
    by_day = {}
    for p in m.payments:
        if p.channel == surge_ch.name and ok(p) and lo <= p.dt.date() < E and p.dt.hour < 22:
            by_day.setdefault(p.dt.date(), []).append(p)
    # a surge by amount too: a day whose largest sales come to twice the rule's floor
    largest = lambda pool: sorted(pool, key=lambda p: p.gross, reverse=True)[:SURGE]
    big = {d: pool for d, pool in by_day.items() if sum(p.gross for p in largest(pool)) >= 2 * SURGE_FLOOR}
    d, pool = max(big.items(), key=lambda kv: (len(kv[1]), kv[0]), default=(None, []))
    if len(pool) >= 3:
        picked = rng.sample(pool, min(SURGE, len(pool)))
        if sum(p.gross for p in picked) < 2 * SURGE_FLOOR:
            picked = largest(pool)
        for p in picked:
            used.add(id(p))
            add_refund(m, ids, p, datetime.combine(d, time(22, rng.randint(20, 45), rng.randint(0, 59))), p.gross)
        P.append(Problem("refund-surge", surge_ch.name, d, [], window=(d - timedelta(days=1), d + timedelta(days=1))))
    rate_ch = chans[1] if len(chans) > 1 else chans[0]
    w = S + timedelta(days=rng.randint(7, shape.days - 8))
    days = [w + timedelta(days=i) for i in range(7)]
    if d and rate_ch is surge_ch and any(abs((x - d).days) <= 1 for x in days):
        w = S + timedelta(days=7) if d > S + timedelta(days=16) else E - timedelta(days=7)
        days = [w + timedelta(days=i) for i in range(7)]
    sales = sum((p.gross for p in m.payments if p.channel == rate_ch.name and p.dt.date() in days
                 and p.currency == rate_ch.currency), Decimal("0"))
    refunded = Decimal("0")
    for day in days:
        for p in [p for p in m.payments if p.channel == rate_ch.name and p.dt.date() == day and ok(p)][:1]:
            if refunded > sales * Decimal("0.25"):
                break
            used.add(id(p))
            add_refund(m, ids, p, p.dt + timedelta(hours=1) if p.dt.hour < 22 else p.dt + timedelta(minutes=5), p.gross)
            refunded += p.gross
