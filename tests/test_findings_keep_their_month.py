"""A finding whose extent grows with later data keeps the month it began in.

A blind tester closed February with an acknowledged refund-rate "7 days to 2025-02-27";
importing March moved the episode's worst window to 03-01, and with it the finding's
date: February's report, re-run, no longer listed it, though nothing was dated into
February. An episode is dated where it began (its first window above the limit), which
later days cannot move; the month report counts a finding of the month that grew since
(more refunds named, the same cause) as the one it was, never "resolved" beside it.
"""

from __future__ import annotations

import datetime as dt
import textwrap

from beancount import loader

from beanclear import config as config_mod
from beanclear.checks import reconcile
from beanclear.reports.period import build_from

CONFIG = """\
books: books
currency: CNY
channels:
  wechat:
    type: wechat
    settlement_days: 400
checks:
  refund-rate: {max: 0.10, days: 7}
"""
OPENS = """
2026-01-01 open Assets:Clearing:WeChat
2026-01-01 open Income:Sales:WeChat
"""
ACK = '\n2026-02-01 custom "beanclear-ack" "refund-rate" "R1" "a damaged batch, refunded in full"\n'


def sale(day, gross, ident):
    return (f'\n{day} * "Order {ident}"\n  id: "{ident}"\n'
            f"  Assets:Clearing:WeChat  {gross} CNY\n  Income:Sales:WeChat  -{gross} CNY\n")


def refund(day, amount, ident):
    return (f'\n{day} * "Refund {ident}"\n  id: "{ident}"\n'
            f"  Assets:Clearing:WeChat  -{amount} CNY\n  Income:Sales:WeChat  {amount} CNY\n")


def sales(month, days, gross):
    return "".join(sale(f"2026-{month:02d}-{d:02d}", gross, f"S{month}-{d}") for d in days)


def setup(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    config = config_mod.load(tmp_path / "config.yaml")

    def rows(books: str, month: str) -> list[tuple]:
        entries, errors, options = loader.load_string(textwrap.dedent(OPENS + books))
        assert not errors, errors
        return [(r.status, r.code, r.date, r.refs) for r in build_from(entries, errors, options, config, month).findings
                if r.code in ("refund-rate", "stale-ack")]

    def found(books: str) -> list:
        entries, errors, _ = loader.load_string(textwrap.dedent(OPENS + books))
        assert not errors, errors
        return [f for f in reconcile.find(entries, config) if f.code in ("refund-rate", "stale-ack")]
    return rows, found


# January: 100.00 sold a day, R1 of 80.00 on 01-29 (80 of 700 in the week to 01-29:
# above the limit). February sells 20.00 a day: the weeks to 02-01..02-04 still hold R1
# over ever fewer sales, and R2 (02-03) joins it; the week to 02-05 no longer holds R1.
JANUARY = sales(1, range(1, 32), "100.00") + refund("2026-01-29", "80.00", "R1")
FEBRUARY = sales(2, range(1, 15), "20.00") + refund("2026-02-03", "10.00", "R2")


def test_an_episode_begun_in_a_closed_month_stays_in_its_report_when_the_next_month_extends_it(tmp_path):
    rows, found = setup(tmp_path)
    [at_close] = rows(JANUARY + ACK, "2026-01")
    assert at_close[:2] == ("acknowledged", "refund-rate") and at_close[2].month == 1
    [after] = rows(JANUARY + FEBRUARY + ACK, "2026-01")
    assert after[:3] == at_close[:3] and set(at_close[3]) < set(after[3])   # R2 named too: not "resolved" beside it
    assert rows(JANUARY + FEBRUARY + ACK, "2026-02") == []
    # one finding, still dated where it began, its worst window (the week to 02-04) said;
    # the acknowledgment written against R1 at January's close still holds
    [episode] = found(JANUARY + FEBRUARY + ACK)
    assert episode.date == at_close[2] == dt.date(2026, 1, 29) and episode.acknowledged   # where it began
    assert {"R1", "R2"} <= set(episode.refs)
    assert "refunds 90.00 CNY over sales 380.00 CNY in the 7 days to 2026-02-04: 23.7%" in episode.message
    assert "first above it in the 7 days to 2026-01-29" in episode.message


def test_an_episode_wholly_in_the_next_month_is_that_months(tmp_path):
    rows, found = setup(tmp_path)
    later = sales(2, range(1, 15), "100.00") + refund("2026-02-10", "80.00", "R1")
    assert rows(sales(1, range(1, 32), "100.00") + later, "2026-01") == []
    [row] = rows(sales(1, range(1, 32), "100.00") + later, "2026-02")
    assert row[:2] == ("open", "refund-rate") and row[2].month == 2 and row[3] == ("R1",)


def test_two_episodes_a_month_apart_stay_two_each_in_its_month(tmp_path):
    rows, found = setup(tmp_path)
    # R1 (01-10) leaves the window on 01-17; R2 (02-20) shares no window with it
    books = sales(1, range(1, 32), "100.00") + refund("2026-01-10", "80.00", "R1")
    books += sales(2, range(1, 29), "100.00") + refund("2026-02-20", "80.00", "R2")
    assert [(f.date.month, f.refs) for f in found(books)] == [(1, ("R1",)), (2, ("R2",))]
    assert [(r[2].month, r[3]) for r in rows(books, "2026-01")] == [(1, ("R1",))]
    assert [(r[2].month, r[3]) for r in rows(books, "2026-02")] == [(2, ("R2",))]


SHOP_CONFIG = """\
books: books
currency: CNY
channels:
  wechat: {type: wechat, settlement_days: 400, shop: jd, fees: [{rate: 0}]}
shops:
  jd: {type: jd, order_days: 3}
"""
SHOP_OPENS = """
2026-01-01 open Assets:Clearing:WeChat
2026-01-01 open Income:Sales:WeChat
2026-01-01 open Assets:Receivable:JD
2026-01-01 open Income:Sales:JD
"""


def order(day, ident):
    return (f'\n{day} * "Order {ident}" ^order-{ident}\n  id: "order:{ident}"\n  order-id: "{ident}"\n'
            f"  Assets:Receivable:JD  100.00 CNY\n  Income:Sales:JD  -100.00 CNY\n")


def paid(day, ident, n, amount="100.00"):
    return (f'\n{day} * "Order {ident}-{n}" ^order-{ident}\n  id: "4200-{ident}-{n}"\n  order-id: "{ident}-{n}"\n'
            f"  Assets:Clearing:WeChat  {amount} CNY\n  Assets:Receivable:JD  -{amount} CNY\n")


def shop_rows(tmp_path, books: str, month: str, code: str) -> list[tuple]:
    (tmp_path / "config.yaml").write_text(SHOP_CONFIG, encoding="utf-8")
    entries, errors, options = loader.load_string(textwrap.dedent(SHOP_OPENS + books))
    assert not errors, errors
    built = build_from(entries, errors, options, config_mod.load(tmp_path / "config.yaml"), month)
    return [(r.status, r.date, r.refs) for r in built.findings if r.code == code]


def test_a_duplicate_charge_charged_again_the_next_month_is_one_row_of_its_month(tmp_path):
    # Order 3012 paid twice in March, a third time in April: March's duplicate-charge
    # names the third charge too; its report lists it once, not also "resolved" as it
    # stood at March's end.
    march = order("2026-03-02", "3012") + paid("2026-03-02", "3012", 1) + paid("2026-03-02", "3012", 2)
    april = paid("2026-04-02", "3012", 3) + order("2026-04-20", "9") + paid("2026-04-20", "9", 1)
    [at_close] = shop_rows(tmp_path, march, "2026-03", "duplicate-charge")
    [after] = shop_rows(tmp_path, march + april, "2026-03", "duplicate-charge")
    assert after[:2] == at_close[:2] == ("open", dt.date(2026, 3, 2)) and set(at_close[2]) < set(after[2])
    assert shop_rows(tmp_path, march + april, "2026-04", "duplicate-charge") == []


def test_a_finding_the_next_month_redates_is_still_listed_in_its_own_month(tmp_path):
    # The shop refunded order 3012 in March, the channel nothing; in April the channel
    # refunds 60.00 of it: the refund-unsynced of what is left counts from that refund
    # (April's), naming March's refs too. March's row is not taken for that one (it is
    # no longer in March): March still lists it, as it stood.
    march = order("2026-03-02", "3012") + paid("2026-03-02", "3012", 1) + order("2026-03-30", "8") + \
        paid("2026-03-30", "8", 1)
    march += ('\n2026-03-05 * "Refund of order 3012" ^order-3012\n  id: "refund:3012"\n  order-id: "3012"\n'
              "  Income:Sales:JD  100.00 CNY\n  Assets:Receivable:JD  -100.00 CNY\n")
    april = ('\n2026-04-02 * "Refund of order 3012-1" ^order-3012\n  id: "5030-1"\n  refund-of: "4200-3012-1"\n'
             '  order-id: "3012-1"\n  Assets:Clearing:WeChat  -60.00 CNY\n  Assets:Receivable:JD  60.00 CNY\n')
    april += order("2026-04-20", "9") + paid("2026-04-20", "9", 1)
    [at_close] = shop_rows(tmp_path, march, "2026-03", "refund-unsynced")
    assert at_close[:2] == ("open", dt.date(2026, 3, 5))
    assert [row[1:] for row in shop_rows(tmp_path, march + april, "2026-03", "refund-unsynced")] == [at_close[1:]]
    [moved] = shop_rows(tmp_path, march + april, "2026-04", "refund-unsynced")
    assert moved[1] == dt.date(2026, 4, 2) and set(at_close[2]) < set(moved[2])
