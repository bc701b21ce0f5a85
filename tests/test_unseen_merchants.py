"""Random merchants beanclear's authors did not design (beanclear.simulation), scored against their truth.

Targets: every code at recall 100 % and precision >= 99 %, zero findings on a clean merchant,
conservation exact (books vs truth per channel and bank). These are the examiner's targets,
not a description of today's beanclear: a failure here is a finding about beanclear.
"""

from __future__ import annotations

import csv
import json

import pytest

from beanclear.simulation.score import score

SEEDS = [13]                # not among the developing seeds (see beanclear.simulation's docstring)
SEEDS += [25030]            # Stripe disputes, one lost, one won with its fee back, a shop's orders paid through them
# Scored by bench_merchants.py rather than here since session 37 (the suite's ten minutes):
# 11 and 12 (`--seeds 2 --from 11`); 28108 and 28152, bank CSVs laid out as other banks do
# (`;`, 1.886,39 and an S/H word; tab-separated, English names, 29 Apr 2026, DR/CR, a BOM and
# lines before the header: test_bank_csv_wild.py reads such files too)
SEEDS += [28210]            # a PayPal download of a US account: Pacific times (PDT), all 41 columns
SEEDS += [32721]            # a fresh seed of session 23: a planted unsettled day past a missing WeChat
                            # fund bill, 70.35 of its 3,971.02 the bill's, was folded into its gap
SEEDS += [32952]            # a fresh seed of session 25: the trade bill replacing the fund view's entries in a
                            # month file whose sales also wait for a shop's orders was a traceback (late_views)
SEEDS += [32961]            # two PayPal payouts of 71.89 days apart: match followed the clearing check's
                            # first-in-first-out pairing of their credits and crossed them
SEEDS += [33173]            # a EUR CAMT.053 account whose bank converts the USD payouts (InstdAmt, CcyXchg):
                            # a PayPal payout sent short, one credit at a rate beyond fx-gap's tolerance
SEEDS += [33416]            # a second Alipay account (shape._second_account) paying out to a bank of its own
                            # (BOC; the first's ICBC), both accounts' bills in one folder: their #账号 tells them apart
SEEDS += [34007]            # a second WeChat Pay account (trade bill only: no payouts in its books) at the first's
                            # bank: its credits settle its clearing account, not the first's transit (transit.pooled)
CLEAN_SEED = 14             # PayPal chargebacks: in EUR (with their conversion pairs) and USD, one reversed


def _report(r):
    return json.dumps({"shape": r.get("shape"), "codes": r.get("codes"), "missed": r.get("missed"),
                       "false": (r.get("false") or [])[:10], "import_failed": r.get("import_failed")},
                      ensure_ascii=False, indent=1, default=str)


@pytest.mark.parametrize("seed", SEEDS)
def test_an_unseen_merchant_is_booked_and_judged_as_its_truth(tmp_path, seed):
    """Each seed scored once (one test, so that the two workers share the seeds out rather
    than each scoring them all): the import passes; every planted problem is found
    (recall 100 %) and nothing else (precision >= 99 %); the books hold the truth's money
    to the cent; `beanclear match`'s confident proposals, judged by the truth's payout of
    each bank line (score.match_score), link no line to another payout, nor a planted line
    that nothing explains."""
    r = score(seed, tmp_path)
    assert "import_failed" not in r, r.get("import_failed")
    assert "codes" in r, _report(r)
    low = {c: v["recall"] for c, v in r["codes"].items() if v["recall"] is not None and v["recall"] < 1}
    assert not low, _report(r)
    low = {c: v["precision"] for c, v in r["codes"].items() if v["precision"] is not None and v["precision"] < 0.99}
    assert not low, _report(r)
    assert r.get("conservation", {}).get("exact"), json.dumps(r.get("conservation"), ensure_ascii=False, indent=1)
    found = r["match"]
    assert "failed" not in found and not found["wrong"], json.dumps(found, ensure_ascii=False, indent=1)[:3000]


def test_clean_merchant_has_no_findings(tmp_path):
    # (without the file-by-file imports its seed draws: 34 processes, 24 of its 26 s; the
    # books they write are test_statements_imported_one_at_a_time…'s to compare)
    r = score(CLEAN_SEED, tmp_path, clean=True, one_by_one=False)
    assert "import_failed" not in r, r.get("import_failed")
    assert r["findings"] == 0, _report(r)
    assert r["conservation"]["exact"], json.dumps(r["conservation"], ensure_ascii=False, indent=1)


def test_the_truth_itself_is_consistent(tmp_path):
    """The examiner's own check: statements agree with each other (balance columns, totals),
    and a clean merchant's truth holds no problem while an unclean one holds every code its shape allows."""
    from beanclear.simulation.score import generate
    m, truth = generate(CLEAN_SEED, tmp_path / "c", clean=True)
    assert truth["problems"] == []
    # seed 5 (a US merchant: Stripe and PayPal in EUR too, a Shopify shop); seed 2, once used
    # here, now draws a US merchant of PayPal alone without a shop, whose shape allows no order code
    m, truth = generate(5, tmp_path / "d")
    codes = {p["code"] for p in truth["problems"]}
    assert {"order-unpaid", "payment-without-order", "amount-mismatch", "duplicate-charge", "refund-unsynced",
            "unsettled", "payout-mismatch", "payout-missing", "bank-unmatched", "fee-gap", "fx-gap",
            "refund-rate", "refund-surge", "statement-gap"} <= codes


def _merchant(refunds_by_day: dict[int, int]):
    """A channel selling 100.00 USD a day for 30 days, with that many refunds of 60.00 on
    those days (days counted from 0)."""
    from datetime import date, datetime, timedelta
    from decimal import Decimal
    from types import SimpleNamespace as NS
    start = date(2026, 1, 1)
    payments = [NS(channel="paypal", currency="USD", gross=Decimal("100.00"),
                   dt=datetime.combine(start + timedelta(days=i), datetime.min.time())) for i in range(30)]
    refunds = [NS(channel="paypal", payment=payments[day], amount=Decimal("60.00"), dt=payments[day].dt)
               for day, count in refunds_by_day.items() for _ in range(count)]
    return NS(shape=NS(channels=[NS(name="paypal")]), payments=payments, refunds=refunds, problems=[])


def test_a_surge_of_ordinary_refunds_is_in_the_truth():
    """Three refunds on a day after quiet days are a surge by the documented rule, injected
    or not; the same three after busy days are not, nor are two."""
    from beanclear.simulation.truth import _refund_surge_truth
    quiet = _merchant({3: 1, 12: 3})
    _refund_surge_truth(quiet)
    assert [(p.code, p.source, p.date.isoformat()) for p in quiet.problems] == [("refund-surge", "paypal", "2026-01-13")]
    busy = _merchant({**{d: 1 for d in range(12)}, 12: 3})
    two = _merchant({3: 1, 12: 2})
    early = _merchant({3: 1, 5: 3})    # under 7 days of history
    for m in (busy, two, early):
        _refund_surge_truth(m)
        assert m.problems == []


@pytest.mark.parametrize("seed, bank, states", [(33263, "ops", True), (33220, "checking", False)])
def test_a_short_bank_statement_that_states_its_period_is_a_gap_in_the_truth(tmp_path, seed, bank, states):
    """A bank statement cut short where no payout was yet overdue is a problem only where
    the statement says it is short: one that states its period (seed 33263: a Chinese csv
    of 交易期间 2026/02/02~2026/02/27, the channels' to 03-03, as a CAMT's FrToDt says) is
    short by its own word, a statement-gap; one read from its lines (33220: a csv that
    states none) may end in quiet days, and no one could tell. The truth took every
    csv for one that states none, and scored beanclear's gap of 33263 false."""
    from beanclear.simulation.score import generate
    from beanclear.simulation.writers.banks import ZH_PERIOD_LABELS, states_period
    m, truth = generate(seed, tmp_path)
    b = next(b for b in m.shape.banks if b.name == bank)
    assert b.type == "csv" and m.bank_end[bank] < m.shape.end and not m.cut_credits.get(bank)
    assert states_period(seed, b) == states
    text = next((tmp_path / "statements" / "banks").rglob(f"{bank}.csv")).read_bytes().decode(
        "gb18030" if b.encoding.lower() in ("gbk", "gb18030") else "utf-8-sig")
    assert any(label in text for label in ZH_PERIOD_LABELS) == states   # what the statement says of itself
    gaps = [p for p in truth["problems"] if p["code"] == "statement-gap" and p["source"] == bank]
    assert len(gaps) == (1 if states else 0), truth["problems"]


def test_disputes_are_drawn_apart_and_written_as_the_layouts_write_them(tmp_path):
    """Disputes come from a stream of their own: the orders, payments and refunds of a
    merchant are the same whether it has them or not. Stripe writes `dispute` (15.00 fee)
    and `dispute_reversal` rows naming the charge, its order and the payout that takes
    them (the order where the report has its metadata column); PayPal a Chargeback, its Chargeback Fee and, won, a Chargeback Reversal. None is
    a problem; the conservation counts what they cost."""
    import csv
    from unittest import mock

    from beanclear.simulation import truth
    from beanclear.simulation.score import generate
    from beanclear.simulation.shape import draw
    with mock.patch("beanclear.simulation.disputes.draw", lambda m: None):
        without = truth.build(draw(25030))
    m, got = generate(25030, tmp_path / "s")
    assert [(p.id, p.gross) for p in m.payments] == [(p.id, p.gross) for p in without.payments]
    assert [r.id for r in m.refunds] == [r.id for r in without.refunds] and m.disputes and not without.disputes
    named = {r for p in got["problems"] for r in p["refs"]}
    assert not named & {d.id for d in m.disputes} and not named & {d.payment.id for d in m.disputes}
    report = next((tmp_path / "s" / "statements" / "stripe").glob("*.csv")).read_text(encoding="utf-8")
    rows = list(csv.DictReader(report.splitlines()))
    taken = [r for r in rows if r["reporting_category"] in ("dispute", "dispute_reversal")]
    assert [(r["reporting_category"], r["fee"]) for r in taken] == [("dispute", "15.00"), ("dispute_reversal", "-15.00")]
    assert all(r["automatic_payout_id"] for r in taken)
    if "payment_metadata[order_id]" in rows[0]:   # the order's metadata, where the layout drawn has the column
        assert all(r["payment_metadata[order_id]"] for r in taken)
    else:   # else the charge its description names
        assert all(r["description"].endswith(m.disputes[0].payment.charge_id) for r in taken[:1])
    assert got["conservation"]["channels"]["stripe"]["USD"]["chargebacks"] == str(
        sum(-d.net for d in m.disputes))

    m, got = generate(CLEAN_SEED, tmp_path / "c", clean=True)
    text = (tmp_path / "c" / "statements" / "paypal" / "Download.CSV").read_text(encoding="utf-8-sig")
    kinds = [r["Type"] for r in csv.DictReader(text.splitlines())]
    assert (kinds.count("Chargeback"), kinds.count("Chargeback Fee"), kinds.count("Chargeback Reversal")) == (2, 2, 1)
    assert got["problems"] == [] and "chargebacks" in got["conservation"]["channels"]["paypal"]["EUR"]


def test_bank_csv_layouts_are_drawn_apart_from_the_shape():
    # The layout of a merchant's bank CSV has a stream of its own: the shape (and truth) of
    # every earlier seed stays, and the config names the columns the file holds.
    from beanclear.simulation.config import config
    from beanclear.simulation.shape import draw
    from beanclear.simulation.writers.banks import CSV_NAMES, csv_layout
    seen = set()
    for seed in range(28072, 28200):
        shape = draw(seed)
        for bank in (b for b in shape.banks if b.type == "csv"):
            layout = csv_layout(seed, bank)
            seen.add((layout.lang, layout.amounts))
            written = config(shape)["banks"][bank.name]
            assert written["columns"] == layout.columns
            assert set(layout.columns.values()) <= set(CSV_NAMES[layout.lang].values())
            assert written.get("date_format", "%Y-%m-%d") == layout.date_format
    assert {amounts for _, amounts in seen} == {"split", "signed", "direction"}
    assert {lang for lang, _ in seen} == {"zh", "en", "de"}


def test_paypal_layouts_are_drawn_apart_from_the_shape():
    from beanclear.simulation.writers.paypal import HEADERS, layout
    drawn = {layout(seed)[:2] + (len(layout(seed)[2]),) for seed in range(28200, 28300)}
    assert {zone for zone, _, _ in drawn} == {"Asia/Shanghai", "America/Los_Angeles", "Europe/Berlin"}
    assert {width for _, _, width in drawn} == {len(h) for h in HEADERS.values()}
    assert ("America/Los_Angeles", "%d/%m/%Y") not in {(zone, day) for zone, day, _ in drawn}


def test_stripe_layouts_are_drawn_apart_from_the_shape():
    from beanclear.simulation.writers.stripe import HEADER, _laid_out, layout
    drawn = [layout(seed) for seed in range(28300, 28400)]
    assert {utc for utc, _ in drawn} == {True, False} and any(len(h) > len(HEADER) for _, h in drawn)
    assert any(HEADER[-1] not in h for _, h in drawn)   # the order metadata left out: descriptions name orders
    row = ["txn_1", "2026-04-30 20:00:00", "2026-05-02 00:00:00", "usd", "10.00", "0.59", "9.41", "charge",
           "ch_ABCDEFGH", "Order 1", "10.00", "usd", "po_1", "1"]
    local = ["balance_transaction_id", "created", "available_on", "currency", "gross", "fee", "net",
             "reporting_category", "source_id", "description", "customer_facing_amount", "customer_facing_currency",
             "automatic_payout_id", "charge_id", "payment_metadata[order_id]"]
    assert _laid_out(row, False, local)[1:3] == ["2026-05-01 04:00:00", "2026-05-02 08:00:00"]
    assert _laid_out(row, False, local)[-2] == "ch_ABCDEFGH"


def test_resaved_statements_keep_their_text(tmp_path):
    from types import SimpleNamespace
    from beanclear.simulation.writers import resaved
    text = "交易时间,金额\n2026-04-01 10:00:00,1.00\n"
    files = []
    for i in range(40):
        f = tmp_path / f"s{i}.csv"
        f.write_bytes(text.encode("gb18030" if i % 2 else "utf-8"))
        files.append(f)
    resaved(SimpleNamespace(shape=SimpleNamespace(seed=1)), files)
    encodings = set()
    for i, f in enumerate(files):
        raw = f.read_bytes()
        for e in ("utf-8-sig", "gb18030"):
            try:
                assert raw.decode(e) == text
                encodings.add((i % 2, e, raw.startswith(b"\xef\xbb\xbf")))
                break
            except UnicodeDecodeError:
                continue
    assert (0, "gb18030", False) in encodings or (0, "utf-8-sig", True) in encodings   # some were re-saved


@pytest.mark.parametrize("seed, order", [(28503, 7), (28931, 28931)])
def test_statements_imported_one_at_a_time_in_no_order_write_the_books_of_one_import(tmp_path, seed, order):
    # Seed 28503 (banks and channels downloaded in two parts): its later downloads imported
    # first opened the accounts at the later statements' start and every balance failed
    # after. Seed 28931: Alipay's trade view first, then the second fund bill: the opening
    # was worked back over days no balance was known, and stayed when the first fund bill
    # came. DESIGN §2: the books, whatever the order.
    import random
    import shutil
    from beanclear.simulation.score import _run, generate
    together, apart = tmp_path / "together", tmp_path / "apart"
    generate(seed, together)
    shutil.copytree(together, apart)
    assert _run(["import", "-c", str(together / "config.yaml"), str(together / "statements")]).returncode == 0
    files = sorted(p for p in (apart / "statements").rglob("*") if p.is_file())
    random.Random(order).shuffle(files)
    for f in files:
        assert _run(["import", "-c", str(apart / "config.yaml"), str(f)]).returncode == 0, f
    books = {p.relative_to(together / "books"): p.read_bytes() for p in (together / "books").rglob("*") if p.is_file()}
    assert books == {p.relative_to(apart / "books"): p.read_bytes() for p in (apart / "books").rglob("*")
                     if p.is_file()}


def test_stripe_and_paypal_formats_are_drawn_apart_from_the_shape():
    """Which of FORMATS' Stripe and PayPal formats a merchant's statements are has a
    stream of its own: every format is drawn, and a merchant whose draw changes what its
    statements can show (Stripe's API: no payout names its items, no presentment
    currency) is the only one whose truth differs from the report's."""
    from unittest import mock

    from beanclear.simulation import truth
    from beanclear.simulation.shape import draw
    from beanclear.simulation.writers import paypal, stripe
    seeds = range(29300, 29400)
    assert {stripe.statement_format(s) for s in seeds} == {"report", "api", "legacy"}
    assert {stripe.api_layout(s) for s in seeds} == {"fetch", "pages"}
    assert {paypal.statement_format(s) for s in seeds} == {"activity", "api"}
    assert {paypal.api_layout(s)[0] for s in seeds} == {"fetch", "search"}
    problems = lambda m: [p.as_dict() for p in m.problems]   # noqa: E731
    for seed in (29331, 29336):   # a legacy Stripe export; PayPal's API (and a Stripe report)
        with mock.patch.object(stripe, "statement_format", lambda seed: "report"):
            as_report = truth.build(draw(seed))
        assert problems(truth.build(draw(seed))) == problems(as_report)


@pytest.mark.parametrize("seed", [29388, 29303, 29331, 29336, 29356])
def test_the_other_formats_show_every_id_the_truth_names(tmp_path, seed):
    """Stripe's API as `beanclear fetch` archives it (29388, disputes, one won) and as
    listed in pages (29303); its legacy balance history (29331); PayPal's Transaction
    Search a day a file with its balances (29336, chargebacks) and in searches (29356):
    each id a problem names is one the statements show."""
    import json as _json
    from beanclear.simulation.score import generate
    from beanclear.simulation.writers import paypal, stripe
    m, truth = generate(seed, tmp_path / "m")
    statements = tmp_path / "m" / "statements"
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in statements.rglob("*") if p.is_file())
    named = [(p["code"], r) for p in truth["problems"] if p["source"] in ("stripe", "paypal") for r in p["refs"] if r]
    assert named and [(code, r) for code, r in named if r not in text] == []
    folder = statements / "stripe"
    if folder.exists() and stripe.statement_format(seed) == "api":
        pages = sorted(folder.rglob("*.json"))
        docs = [_json.loads(p.read_text(encoding="utf-8")) for p in pages]
        # (a fetched day's list keeps the window it asked: `?created[gte]=…&created[lt]=…`)
        assert all(d["object"] == "list" and d["url"].split("?")[0] == "/v1/balance_transactions" for d in docs)
        items = [bt for d in docs for bt in d["data"]]
        assert all(isinstance(bt[k], int) for bt in items for k in ("amount", "fee", "net", "created", "available_on"))
        assert all(bt["amount"] - bt["fee"] == bt["net"] for bt in items)
        if stripe.api_layout(seed) == "fetch":   # a day a file, keys sorted, as the archive writes it
            assert [p.name for p in pages][0] == f"balance-transactions-{m.shape.start}.json"
            assert all(p.read_text(encoding="utf-8") == _json.dumps(d, indent=2, sort_keys=True) + "\n"
                       for p, d in zip(pages, docs))
        disputes = [bt for bt in items if bt["reporting_category"] in ("dispute", "dispute_reversal")]
        source_id = lambda bt: bt["source"]["id"] if isinstance(bt["source"], dict) else bt["source"]
        assert all(bt["type"] == "adjustment" and source_id(bt).startswith("dp_") for bt in disputes)
        # sources expanded as `beanclear fetch` keeps them (what the customer paid), or ids alone
        assert all(isinstance(bt["source"], dict) == (stripe.expands_sources(seed) and bt["reporting_category"]
                                                       in stripe.SOURCE_OBJECTS) for bt in items)
        assert len(disputes) == sum(1 for d in m.disputes if d.channel == "stripe")
        assert {bt["type"] for bt in items if bt["reporting_category"] == "payout"} <= {"payout"}
    if folder.exists() and stripe.statement_format(seed) == "legacy":
        rows = [r for f in folder.rglob("*.csv")
                for r in csv.DictReader(f.read_text(encoding="utf-8").splitlines())]
        taken = [r for r in rows if r["Type"] == "adjustment"]
        assert taken and {r["Fee"] for r in taken} <= {"15.00", "-15.00", "0.00"}
        assert all(r["Source"].startswith(("ch_", "py_")) and r["Transfer"].startswith("po_") for r in taken)
    folder = statements / "paypal"
    if folder.exists() and paypal.statement_format(seed) == "api":
        docs = [_json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("transactions-*.json"))]
        codes = {d["transaction_info"]["transaction_event_code"] for doc in docs for d in doc["transaction_details"]}
        assert {"T0006", "T0400"} <= codes <= set(paypal.EVENT_CODES.values())
        assert all(doc["account_number"] and doc["start_date"] <= doc["end_date"] for doc in docs)
        if any(d.channel == "paypal" for d in m.disputes):
            assert {"T1201", "T0106"} <= codes


@pytest.mark.parametrize("seed", [29811, 29805, 31000, 31214, 31302, 31502, 31514, 31508, 31524, 31607, 31622,
                                  31625, 31721, 31802, 31804, 31900, 31909, 32614,
                                  32854, 32973, 33017, 33033, 33070, 33125, 33140, 33174, 33396])
def test_a_statement_file_left_out_is_one_finding(tmp_path, seed):
    """One cause, one finding: seed 29811 without the first of its two Alipay fund-ledger
    downloads was a bank-unmatched for each day's payout credit, 29805 without the
    second of its shop's exports a refund-unsynced for a refund made since, 31000
    without a day of PayPal's transactions seven failed balances (its balances file
    counted as coverage of the day), 31214 without the first of its bank's downloads
    fifteen days of Alipay money unsettled (the trade bill alone: the bank's credits are
    its payouts), 31302 without a day's WeChat fund bill a payout-mismatch (the bank's
    credit of the day's payout taken for the next payout's), 31502 and 31514 without a
    day of Stripe's API (`fetch`'s file) two order-unpaid and a payout-mismatch, and a
    bank-unmatched and two days unsettled (the day was taken for a quiet one); 31622 the
    same, a payout after the day taking more than the books held; 31508 without the
    second of its Stripe downloads a refund taken for a payout its items named; 31625
    without the first a credit of a payout before it taken for a later one's; 31524
    without its bank's first download a Friday's short credit paired with Sunday's
    payout; 31607 without its first WeChat bill two gaps for a shop nothing pays; 31721
    without its second fund bill seventeen days unsettled (the trade bill went on
    without payouts); 31802 without its only Alipay bill a gap for each shop it pays,
    their first orders days apart; 31804 without a day of PayPal's rows a day unsettled
    (its balances file covered the day); 31900 without a day's WeChat fund bill the
    day's payout credit taken for the next payout's and a week of refunds over sales
    short by the day's; 31909 without its first Stripe download a day's refunds over a
    day's sales; 32614 without a day's WeChat fund bill the newest day of the money its
    payout would have taken, past the step's amount by the other money it held; 32854
    without a day's WeChat fund bill the day's payout credit taken for an older payout's;
    32973 without its last Stripe report a credit of two payouts, the second in that
    report, taken for the first's mismatch; 33017 without its second shop's last export a
    gap for each of the four channels whose payments named its orders; 33033 without its
    first daily WeChat fund bill five order-unpaid (the second bill, stating no period,
    was taken to start with the books: its first day's quiet); 33070 without a day's
    WeChat fund bill whose sales outweighed its withdrawal, the money that withdrawal took
    unsettled; 33125 without a day of Stripe's API, the payout before it missing, its
    credit (with the day's payout in one line) set aside for the hole; 33140 without
    PayPal's second page, a credit past its first one's end taken for a payout's
    mismatch; 33174 without the newest page of a Stripe download, its two missing days
    between the other pages taken for quiet ones (20 order-unpaid) though the shop sells
    every day; 33396 without its ICBC's first file a gap for each of the two channels
    whose payouts only that bank shows. Each is one
    statement-gap at most beyond the truth."""
    from beanclear.simulation.score import one_left_out
    r = one_left_out(seed, tmp_path)
    assert "import_failed" not in r, r
    # (31524's gap is one the truth holds: the hole was in the file left out. 31900's bank
    # statements end before its channel's, the truth's gap: without the fund bill of 03-05
    # the credit of that day's payout was taken for the payout of 03-06 23:57, and the
    # hole's gap stood in for the bank's; no bank had that payout on 03-05 (blind10), so
    # the payout waits for the bank's statement as in the whole merchant, and the hole's
    # gap is the one beyond the truth)
    assert [f["code"] for f in r["beyond"]] == ([] if seed == 31524 else ["statement-gap"]), r["beyond"]


def test_a_wrong_match_is_scored_wrong(tmp_path, monkeypatch):
    """The judge of the match in test_an_unseen_merchant_is_booked_and_judged_as_its_truth
    can fail: a confident proposal whose payout is swapped for another's is wrong."""
    from beanclear.simulation import score as score_mod
    out = tmp_path / "m"
    m, truth = score_mod.generate(11, out)
    assert score_mod._run(["import", "-c", str(out / "config.yaml"), str(out / "statements")]).returncode == 0
    real = score_mod._run(["match", "-c", str(out / "config.yaml"), "--format", "json"])
    assert score_mod.match_score(m, out, truth)["right"] > 1
    proposals = json.loads(real.stdout)["proposals"]
    first, second = [p for p in proposals if p["confident"]][:2]
    first["items"], second["items"] = second["items"], first["items"]
    monkeypatch.setattr(score_mod, "_run", lambda args, timeout=600: type(real)(
        real.args, 0, json.dumps({"proposals": proposals}), ""))
    judged = score_mod.match_score(m, out, truth)
    assert len(judged["wrong"]) == 2


def test_a_second_account_of_a_type_is_drawn_apart_from_the_shape(tmp_path):
    # A third of merchants hold a second account of one of their channels' types, drawn from
    # a stream of its own: without it the merchant is the one it was; with it, its own key,
    # account id (Alipay, WeChat Pay), folder, and the config says its type.
    from unittest import mock

    from beanclear.simulation import shape as shape_mod
    from beanclear.simulation.config import config, style
    from beanclear.simulation.shape import draw
    from beanclear.simulation.writers import folder_of
    drawn = 0
    for seed in range(33400, 33460):
        shape = draw(seed)
        second = [c for c in shape.channels if c.name != c.type]
        with mock.patch.object(shape_mod, "_second_account", lambda shape: None):
            alone = draw(seed)
        assert [c.name for c in alone.channels] == [c.name for c in shape.channels if c.name == c.type]
        if not second:
            assert config(alone) == config(shape)
            continue
        drawn += 1
        (ch,) = second
        first = next(c for c in shape.channels if c.type == ch.type)
        keys = style(shape)["keys"]
        assert keys[ch.name] != keys[first.name]
        assert config(shape)["channels"][keys[ch.name]]["type"] == ch.type
        if ch.type in ("wechat", "alipay"):
            assert ch.account_id and ch.account_id != first.account_id
        if ch.type != "alipay":
            assert folder_of(shape, ch) == keys[ch.name] and folder_of(shape, first) == keys[first.name]
    assert 10 <= drawn <= 30
