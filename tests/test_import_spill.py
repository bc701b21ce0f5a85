"""An import past the spill limits (books/spill.py: entries and ids kept on disk) writes
the same bytes and says the same as one that holds everything in memory; its errors name
the same lines; it leaves no temporary file behind, after success or failure."""

from __future__ import annotations

import itertools
import os
import weakref

import pytest
from hypothesis import given, settings, strategies as st

from beanclear.books import idset, merge, merged, spill
from beanclear.importers.base import StatementImporter
from conftest import snapshot
from test_import_held import bill, merchant, repeated, run


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """The folder the spill's temporary files are made in, and a count of those made."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setenv("BEANCLEAR_SPILL_DIR", str(folder))
    made = []
    original = spill._temporary

    def counted():
        made.append(1)
        return original()
    monkeypatch.setattr(spill, "_temporary", counted)
    return folder, made


def tiny(monkeypatch) -> None:
    monkeypatch.setattr(spill, "LIMIT", 7)      # a run every 7 entries
    monkeypatch.setattr(spill.Sorted, "FANOUT", 2)   # runs merged two at a time, into runs of many sizes
    monkeypatch.setattr(idset, "LIMIT_IDS", 5)  # ids in runs on disk past 5


def twice(tmp_path, monkeypatch, steps):
    """`steps(folder, import)` on two merchants, in memory and spilled: the same
    summaries and books."""
    said = {}
    for spilled in (False, True):
        with monkeypatch.context() as m:
            if spilled:
                tiny(m)
            folder = merchant(tmp_path, f"spilled-{spilled}")
            lines = steps(folder, lambda *paths, force=False: [
                line.replace(str(folder), "M") for line in run(folder, *paths, held=True, force=force)])
            said[spilled] = (lines, snapshot(folder / "books"))
    assert said[True][0] == said[False][0]
    assert said[True][1] == said[False][1]
    return said[True][0]


def test_spilled_import_writes_the_same_books(tmp_path, monkeypatch, scratch):
    def steps(folder, imp):
        half = bill(folder, 300, "first.csv", keep=lambda lines: lines[::2])
        full = bill(folder, 300)
        return imp(half) + imp(full) + imp(full, half, force=True)
    said = twice(tmp_path, monkeypatch, steps)
    assert "entries written" in said[1] and scratch[1], said   # it did spill
    assert not os.listdir(scratch[0])


def test_without_the_held_shortcut_too(tmp_path, monkeypatch):
    """Every row built as an entry and compared with the known ids on disk."""
    monkeypatch.setattr(StatementImporter, "held", lambda self, *args, **kwargs: False)

    def steps(folder, imp):
        full = bill(folder, 200)
        return imp(bill(folder, 200, "first.csv", keep=lambda lines: lines[::3])) + imp(full)
    twice(tmp_path, monkeypatch, steps)


@pytest.mark.parametrize("change", ["same", "other amounts"])
def test_an_id_repeated_in_another_run(tmp_path, monkeypatch, change):
    """The first row again 150 rows later (many runs apart): booked once, or refused
    naming both lines, as in memory."""
    def again(lines):
        return repeated(lines, 0, 150, change)

    def steps(folder, imp):
        return imp(bill(folder, 200, keep=again))
    said = twice(tmp_path, monkeypatch, steps)
    if change == "same":
        assert "1 row(s) repeat an earlier row" in said[0], said
    else:
        assert ":152: id " in said[0] and "as on line 2," in said[0], said


def test_a_bad_row_late_in_a_spilled_file(tmp_path, monkeypatch, scratch):
    """A bad row after several runs: its line named, the books untouched, nothing left."""
    def broken(lines):
        cells = lines[180].split(",")
        cells[0] = "`2026-13-45 99:00:00"
        return lines[:180] + [",".join(cells)] + lines[181:]

    def steps(folder, imp):
        said = imp(bill(folder, 100, "first.csv"))
        books = snapshot(folder / "books")
        said += imp(bill(folder, 200, keep=broken))
        assert snapshot(folder / "books") == books
        return said
    said = twice(tmp_path, monkeypatch, steps)
    assert said[-1].startswith("error: ") and ":182:" in said[-1], said
    assert scratch[1] and not os.listdir(scratch[0])


def test_spilled_entries_in_a_closed_month(tmp_path, monkeypatch):
    """The closed-month refusal names the same (first) line when the entries are on disk."""
    def steps(folder, imp):
        periods = folder / "books" / "periods.beancount"
        periods.parent.mkdir(parents=True)
        periods.write_text('2026-02-28 custom "beanclear-close" "2026-02"\n  closed-by: "alice"\n', encoding="utf-8")
        return imp(bill(folder, 300))
    said = twice(tmp_path, monkeypatch, steps)
    assert said[0].startswith("error: ") and "2026-02 is closed" in said[0], said


def test_spill_passes_in_order_and_sorted_runs_are_stable(monkeypatch, scratch):
    tiny(monkeypatch)
    store = spill.Spill()
    store += range(40)
    assert store.spilled and list(store) == list(range(40)) and len(store) == 40 and store[17] == 17
    assert list(itertools.islice(store, 3)) == [0, 1, 2]
    keyed = spill.Sorted()
    items = [((f"2026-0{1 + n % 3}-0{1 + n % 5}", n % 2), n) for n in range(60)]
    for key, n in items:
        keyed.add(key, n)
    expected = sorted(items, key=lambda item: item[0])   # stable: ties in the order they came
    assert keyed.months() == ["2026-01", "2026-02", "2026-03"]
    assert [pair for month in keyed.months() for pair in keyed.month(month)] == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 28), st.integers(0, 2)), max_size=80),
       st.sampled_from(["as they come", "in order", "newest first"]))
def test_sorted_runs_merged_by_copying_give_what_a_stable_sort_gives(rows, order):
    """Runs whose items of a month follow each other (a statement in time order or its
    reverse) are merged by copying their chunks; others item by item: either way a month
    reads back as a stable sort of what was added."""
    if order != "as they come":
        rows = sorted(rows, reverse=order == "newest first")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(spill, "LIMIT", 4)
        m.setattr(spill, "CHUNK", 3)            # runs of several chunks, the last of a month short
        m.setattr(spill.Sorted, "FANOUT", 2)    # runs merged two at a time, into runs of many sizes
        keyed = spill.Sorted()
        items = [((f"2026-0{month}-{day:02d}", part), n) for n, (month, day, part) in enumerate(rows)]
        for key, n in items:
            keyed.add(key, n)
        expected = sorted(items, key=lambda item: item[0])
        assert [pair for month in keyed.months() for pair in keyed.month(month)] == expected


def test_ids_on_disk_are_exact(monkeypatch):
    tiny(monkeypatch)
    ids = idset.Ids()
    keys = ["4200 01", "4200  01", "4200\u300001", "balance A 2026-01-01 CNY", "balance", "", "é", "e\u0301", "\udc80"]
    for key in keys:
        assert ids.add(key, key.upper())
    assert ids.on_disk and len(ids) == len(keys)
    assert all(key in ids and ids.get(key) == key.upper() for key in keys)
    assert not ids.add("4200 01") and "4200 1" not in ids and None not in ids
    assert list(ids.prefixed("balance ")) == ["balance A 2026-01-01 CNY"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "update", "has", "get"]),
                          st.text(alphabet="ab é\udc80", max_size=4), st.integers(0, 3)), max_size=120))
def test_ids_on_disk_answer_as_a_dict(ops):
    """Whatever the adds, updates and look-ups, spread over runs merged FANOUT at a time,
    an Ids on disk answers as a dict that keeps each key's first value."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(idset, "LIMIT_IDS", 2)
        m.setattr(idset, "BLOCK", 3)    # runs of several blocks
        m.setattr(idset, "CACHED", 2)   # blocks dropped from the cache and read again
        m.setattr(idset, "MERGE_KEYS", 2)   # a merge takes the runs a few keys at a time
        ids, model = idset.Ids(), {}
        for op, key, value in ops:
            if op == "add":
                assert ids.add(key, value) == (key not in model)
                model.setdefault(key, value)
            elif op == "update":
                ids.update([key, key + "x"])
                model.setdefault(key, None)
                model.setdefault(key + "x", None)
            elif op == "has":
                assert (key in ids) == (key in model)
            else:
                assert ids.get(key, "none") == model.get(key, "none")
        assert list(ids) == (sorted(model) if ids.on_disk else list(model)) and len(ids) == len(model)
        assert sorted(ids.prefixed("a")) == sorted(k for k in model if k.startswith("a"))
        assert all(ids.get(key) == value for key, value in model.items())


def test_ids_together_past_the_budget_go_to_disk(monkeypatch):
    """Ids each below LIMIT_IDS but together past BUDGET_IDS: the one a key is added to
    goes to disk (memory does not grow with how many sets an import holds); a set below
    FLOOR_IDS stays a dict whatever the others hold, and every set answers the same."""
    monkeypatch.setattr(idset, "LIMIT_IDS", 1000)
    monkeypatch.setattr(idset, "BUDGET_IDS", 100)
    monkeypatch.setattr(idset, "FLOOR_IDS", 20)
    monkeypatch.setattr(idset, "_EVERY", 10)
    monkeypatch.setattr(idset, "_live", weakref.WeakSet())   # (not the sets of other tests)
    small = idset.Ids(str(n) for n in range(15))
    first, second = idset.Ids(), idset.Ids()
    for n in range(80):
        first.add(f"a{n}", n)
    assert not first.on_disk   # 95 held
    for n in range(30):
        second.add(f"b{n}", n)
    assert second.on_disk and not first.on_disk and not small.on_disk
    assert [second.get(f"b{n}") for n in range(30)] == list(range(30)) and "a3" in first and "7" in small
    assert len(second) == 30 and not second.add("b3")


def test_ids_below_the_budget_stay_in_memory(monkeypatch):
    monkeypatch.setattr(idset, "LIMIT_IDS", 1000)
    monkeypatch.setattr(idset, "BUDGET_IDS", 500)
    monkeypatch.setattr(idset, "FLOOR_IDS", 20)
    monkeypatch.setattr(idset, "_EVERY", 10)
    monkeypatch.setattr(idset, "_live", weakref.WeakSet())
    sets = [idset.Ids(f"{i}-{n}" for n in range(100)) for i in range(4)]
    assert not any(ids.on_disk for ids in sets)


def test_postings_before_reads_a_large_month_file_in_pieces(tmp_path, monkeypatch):
    """What the books post to an account before a day (an opening must not count it
    twice) is the same read a piece at a time as read whole."""
    import datetime as dt
    from beanclear.books import Books
    import beanclear.books.disk as books_mod
    folder = merchant(tmp_path, "m")
    run(folder, bill(folder, 300), held=True)
    text = "".join(p.read_text() for p in sorted((folder / "books").glob("*/*/*.beancount")))
    account = next(line.split()[0] for line in text.splitlines() if line.startswith("  Assets:Clearing"))
    day = dt.date(2026, 1, 20)
    whole = Books(folder / "books").postings_before(account, "CNY", day)
    assert whole[0] and whole[1] < day
    for size in (40, 200, 5000):
        monkeypatch.setattr(books_mod, "KEEP_TEXT", size)
        assert Books(folder / "books").postings_before(account, "CNY", day) == whole


TEXT = ("; preamble\r\n\n2026-01-01 * \"a\"\n  id: \"1\"\n  A  1 CNY\n\n2026-01-03 balance A  1 CNY\n"
        "2026-01-05 * \"b\"\u2028x\n  id: \"3\"\n\n\n2026-01-09 * \"c\"\n  id: \"9\"")


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_merge_in_pieces_is_merge(size):
    """A month file read a few characters at a time merges into the same text."""
    from beancount.core import data
    from beanclear.importers.base import transaction
    import datetime as dt
    new = [transaction("x", 1, dt.date(2026, 1, day), None, "n", {"id": str(day)}, []) for day in (1, 2, 5, 12)]
    new = [e._replace(postings=[]) for e in new if isinstance(e, data.Transaction)]
    from beanclear.books import render
    keyed = sorted(((render.sort_key(e), e) for e in new), key=lambda pair: pair[0])
    pieces = [TEXT[at:at + size] for at in range(0, len(TEXT), size)]
    assert "".join(merged(pieces, iter([]))) == TEXT
    assert "".join(merged(pieces, ((key, render.entry_text(e) + "\n") for key, e in keyed))) == merge(TEXT, keyed=keyed)


def test_a_month_file_past_keep_text_is_scanned_in_pieces(tmp_path, monkeypatch):
    """Books.known and statements() read a large month file a piece at a time (cut where
    an entry starts): the same ids and statements as from the whole text."""
    from beanclear.books import Books
    import beanclear.books.disk as books_mod
    folder = merchant(tmp_path, "m")
    run(folder, bill(folder, 300), held=True)
    whole = Books(folder / "books")
    ids, held = set(whole.known("wechat")), whole.statements("wechat")
    assert len(ids) > 300 and held
    for size in (40, 200, 1000, 5000):
        monkeypatch.setattr(books_mod, "KEEP_TEXT", size)
        pieces = Books(folder / "books")
        assert set(pieces.known("wechat")) == ids and pieces.statements("wechat") == held


def test_picked_keeps_the_order_of_its_source(monkeypatch):
    tiny(monkeypatch)
    source = spill.Spill(range(30))
    picked = spill.Picked(source)
    expected = []
    for at in range(30):
        if at % 7 == 3:
            continue                       # known: not written
        if at % 5 == 0:
            picked.put(at, f"part of {at}")  # written in part
            expected.append(f"part of {at}")
        else:
            picked.take(at)
            expected.append(at)
    assert list(picked) == expected and len(picked) == len(expected)
    assert list(spill.Picked(source)) == [] and not spill.Picked(source)


def test_spilled_entries_come_back_exactly(monkeypatch):
    """Transactions of the usual shape are spilled as plain values (spill._packed): every
    number comes back with its digits and exponent, every other entry as it went."""
    import datetime as dt
    from decimal import Decimal

    from beancount.core import data
    from beancount.core.amount import Amount

    from beanclear.importers.base import balance, posting, transaction
    tiny(monkeypatch)
    day = dt.datetime(2026, 3, 1, 9, 30, 5)
    usual = transaction("bill.csv", 2, day, None, "Order 1", {"id": "4200 01", "covers": "fee 4200 01",
                        "_fee_part": ("fee 4200 01", {"fee-of": "4200 01"}, "Expenses:Fees", "Assets:Clearing")},
                        [posting("Assets:Clearing", Decimal("5.960"), "CNY"), posting("Expenses:Fees", Decimal("0.04"), "CNY"),
                         posting("Income:Sales", Decimal("-6.00"), "CNY")], ["order-1"])
    numbers = usual._replace(postings=[posting("Assets:A", Decimal(text), "CNY") for text in
                                       ("1E+2", "-0.00", "0E-7", "1.50E-9", "123456789012345678901234")])
    priced = usual._replace(postings=[posting("Assets:A", Decimal("7"), "USD", Amount(Decimal("7.1234"), "CNY"))])
    costed = usual._replace(postings=[usual.postings[0]._replace(cost=data.Cost(Decimal("1"), "CNY", None, None))])
    unnumbered = usual._replace(postings=[usual.postings[0]._replace(units=Amount(None, "CNY"))])
    asserted = balance("bill.csv", 9, day.date(), "Assets:Clearing", Decimal("10.00"), "CNY")
    entries = [usual, numbers, priced, costed, unnumbered, asserted, (3, usual), usual._replace(tags=frozenset({"t"}))]
    store = spill.Spill(entries)
    assert store.spilled
    back = list(store)
    assert repr(back) == repr(entries) and [type(e) for e in back] == [type(e) for e in entries]
    assert list(store.metas()) == [e.meta if isinstance(e, data.Transaction) else None for e in entries]
    assert list(spill.metas(entries)) == list(store.metas())


def _simulated(folder, seed):
    """A merchant of beanclear.simulation (its statements and config), imported whole."""
    from beanclear import config as config_mod
    from beanclear.books import importing
    from beanclear.importers.toolkit import StatementError
    from beanclear.simulation import config as sim_config
    from beanclear.simulation.shape import draw
    from beanclear.simulation.truth import build
    from beanclear.simulation.writers import write_all
    shape = draw(seed, "small")
    folder.mkdir()
    sim_config.write(shape, folder / "config.yaml")
    write_all(build(shape, clean=False), folder / "statements")
    config = config_mod.load(folder / "config.yaml")
    try:
        said = [r.summary().replace(str(folder), "M") for r in importing.run(config, [folder / "statements"])]
    except StatementError as error:
        said = [f"error: {error}".replace(str(folder), "M")]
    return said, snapshot(folder / "books")


# Between them every importer the simulation writes for: WeChat trade and fund bills,
# Alipay trade detail and fund ledger, Stripe's balance CSV, PayPal's CSV, Shopify and
# the configured orders CSV, bank CSVs, OFX (3), CAMT.053 (10), MT940 (16).
@pytest.mark.parametrize("seed", [3, 10, 16])
def test_every_simulated_statement_spilled_writes_the_same_books(tmp_path, monkeypatch, scratch, seed):
    """Every importer's entries go into a spill.Spill, and an import's stores of all its
    statements are bounded together (importing._park): spilled at a few entries, the
    same summaries and the same books as held in memory, and nothing left behind."""
    held = _simulated(tmp_path / "held", seed)
    with monkeypatch.context() as m:
        tiny(m)
        spilled = _simulated(tmp_path / "spilled", seed)
    assert spilled[0] == held[0] and "entries written" in held[0][0], held[0]
    assert spilled[1] == held[1]
    assert scratch[1] and not os.listdir(scratch[0])


def test_per_day_sums_are_gathered_only_when_a_statement_asserts_a_balance(tmp_path, monkeypatch):
    """The openings' per-day sums cost a dict update per posting on every new entry:
    an import of statements without a balance (a trade bill) does not gather them; one
    with a bank statement that has balances does, and writes the opening from them."""
    from beanclear.statements import openings
    added = []
    original = openings.Sums.add
    monkeypatch.setattr(openings.Sums, "add", lambda self, entry, tag=None, payouts=True:
                        added.append(1) or original(self, entry, tag, payouts))
    folder = merchant(tmp_path, "m")
    run(folder, bill(folder, 30), held=True)
    assert added == [] and "opening" not in books_text(folder)
    bank = folder / "statements" / "bank.csv"
    bank.write_text("交易日期,交易流水号,摘要,对方户名,交易金额,余额\n2026-01-05,B1,财付通提现,财付通,10.00,110.00\n",
                    encoding="utf-8")
    run(folder, bank, held=True)
    assert added and '"opening Assets:Bank:Ops CNY"' in books_text(folder)


def books_text(folder) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted((folder / "books").rglob("*.beancount")))
