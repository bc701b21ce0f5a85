"""Each day's closing balance from a statement's running balances (importers.base):
the day's last row by the chain of balances, whatever order the file lists them in,
and the same when the rows wait on disk (BalanceChain past spill.LIMIT)."""

import datetime as dt
from decimal import Decimal as D

from hypothesis import given, settings, strategies as st

from beanclear.books import spill
from beanclear.importers.base import BalanceChain, closing_balances


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour)


def test_the_day_ends_where_no_row_of_it_continues_from():
    # Newest-first on the 5th, oldest-first on the 6th, all at one time of day: the chain
    # decides (100 -> 130 -> 110 on the 5th; 110 -> 90 -> 95 on the 6th), not the line.
    newest_first = [(at(5, 9), 3, D("-20"), D("110")), (at(5, 9), 4, D("30"), D("130")),
                    (at(5, 9), 5, D("100"), D("100"))]
    oldest_first = [(at(6, 9), 6, D("-20"), D("90")), (at(6, 9), 7, D("5"), D("95"))]
    assert closing_balances(newest_first + oldest_first) == {dt.date(2026, 1, 5): (3, D("110")),
                                                             dt.date(2026, 1, 6): (7, D("95"))}


def test_a_row_that_moves_nothing_can_end_the_day():
    # It opens from the balance it leaves: that alone does not continue the chain.
    rows = [(at(5, 10), 2, D("0"), D("50")), (at(5, 9), 3, D("50"), D("50"))]
    assert closing_balances(rows) == {dt.date(2026, 1, 5): (2, D("50"))}


def test_days_met_again_further_down_an_unsorted_file():
    rows = [(at(5, 9), 2, D("10"), D("10")), (at(6, 9), 3, D("5"), D("15")), (at(5, 12), 4, D("1"), D("11"))]
    assert closing_balances(rows) == {dt.date(2026, 1, 5): (4, D("11")), dt.date(2026, 1, 6): (3, D("15"))}


rows_strategy = st.lists(st.tuples(st.integers(1, 40), st.integers(0, 23), st.integers(-5, 5), st.integers(0, 30)),
                         max_size=60)


@settings(max_examples=60, deadline=None)
@given(rows_strategy)
def test_rows_on_disk_close_each_day_as_rows_in_memory(raw):
    rows = [(dt.datetime(2026, 1, 1, hour) + dt.timedelta(days=day), line, D(amount), D(after))
            for line, (day, hour, amount, after) in enumerate(raw, start=2)]
    held = closing_balances(rows)
    spilled = BalanceChain()
    original = spill.LIMIT
    spill.LIMIT = 3   # a run every three rows, runs merged as they gather (Sorted.FANOUT)
    try:
        for row in rows:
            spilled.append(row)
        assert len(spilled) == len(rows)
        assert closing_balances(spilled) == held
    finally:
        spill.LIMIT = original
    assert set(held) == {row[0].date() for row in rows}
    for day, (line, balance) in held.items():
        assert (day, balance) == (rows[line - 2][0].date(), rows[line - 2][3])
