"""The resolve commands with `--since YYYY-MM` (resolve.act): on the books carried
forward to a month, loaded in the time of the months shown, each writes what it writes
on the whole books, byte for byte, and says the same (an edit of an entry of the
lookback goes to its month file, and the message says the carried ledger shows it as
carried until carried again, as the page's: periods/carried_edits.py); a bad month is
exit 2 with nothing written."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import beanclear, snapshot
from test_report_since import hand  # noqa: F401  (the fixture: items in and before the lookback)
from test_resolve_page_since import CARRIED, LOOKBACK_LINE

STALE = f"{CARRIED} shows it as carried (and says it is stale) until `beanclear carry 2026-03` again"


@pytest.fixture
def merchant(hand):
    february = hand / "books" / "ops" / "2026" / "2026-02.beancount"
    february.write_text(february.read_text(encoding="utf-8") + LOOKBACK_LINE, encoding="utf-8")
    return hand


def both(merchant, tmp_path, *args):
    """`args` run on a copy of the whole books and, with --since 2026-03, on another:
    (the whole books' output, the carried books' output), each book's files after it but
    the carried ledger, which the command with --since writes first (carry) and never edits."""
    said, after = [], []
    for name, extra in (("whole", ()), ("since", ("--since", "2026-03"))):
        root = tmp_path / name
        shutil.copytree(merchant, root)
        result = beanclear(root, *args, *extra)
        # (a write that adds an include to main.beancount updates the carried ledger too: forward.follow)
        shown = [line for line in result.output.replace(str(root), "M").splitlines(keepends=True)
                 if line != f"  wrote M/books/{CARRIED}\n"]
        said.append((result.exit_code, "".join(shown)))
        after.append({k: v for k, v in snapshot(root / "books").items() if k != CARRIED})
    assert after[0] == after[1]
    return said


@pytest.mark.parametrize("args", [
    ("book", "B4", "Expenses:Rent", "--payee", "Landlord"),            # a line of the month
    ("link", "B3", "bill-ALIYUN-2602"),                               # to a bill of the lookback
    ("ack", "bank-unmatched", "B4", "--reason", "rent, booked monthly"),
    ("follow-up", "bank-unmatched", "B4", "--owner", "alice", "--due", "2026-04-30", "--note", "ask"),
], ids=["book", "link", "ack", "follow-up"])
def test_a_command_since_a_month_writes_what_it_writes_on_the_whole_books(merchant, tmp_path, args):
    (whole_status, whole), (since_status, since) = both(merchant, tmp_path, *args)
    assert whole_status == since_status == 0, (whole, since)
    if args[0] == "link":   # February's bill is printed by the carried ledger: written in its month file
        assert since == whole.replace("\n", f"; written into ops/2026/2026-02.beancount, before 2026-03: {STALE}\n", 1)
    else:
        assert since == whole


def test_a_bank_line_of_the_lookback_is_booked_in_its_month_file(merchant, tmp_path):
    (_, whole), (status, since) = both(merchant, tmp_path, "book", "B0", "Expenses:Cloud", "--format", "json")
    assert status == 0 and '"done": true' in since and STALE in since and STALE not in whole


def test_an_item_before_the_lookback_is_not_there(merchant, tmp_path):
    """A bill entered by hand in December is only a balance carried forward to March (the
    lookback starts on 2026-01-18): with --since, B3 cannot be linked to it (exit 2,
    nothing written); on the whole books it can."""
    root = tmp_path / "since"
    shutil.copytree(merchant, root)
    december = root / "books" / "ops" / "2025" / "2025-12.beancount"
    december.write_text(december.read_text(encoding="utf-8") + OLD_BILL, encoding="utf-8")
    beanclear(root, "carry", "2026-03")
    before = snapshot(root / "books")
    result = beanclear(root, "link", "B3", "bill-ALIYUN-2512", "--since", "2026-03")
    assert result.exit_code == 2 and result.output == (
        "beanclear: no open item is 'bill-ALIYUN-2512' (a payout in transit, an order or bill due, named by its "
        "link or a ref its findings list; see `beanclear open-items`) (on the books from 2026-03 on, no finding "
        "dated before 2026-03-01 is listed and what is dated "
        "before 2026-01-18 is only in balances carried forward: without --since the command reads the whole "
        "books); nothing was written\n")
    assert snapshot(root / "books") == before
    assert beanclear(root, "link", "B3", "bill-ALIYUN-2512").exit_code == 0


OLD_BILL = ('2025-12-20 * "阿里云计算有限公司" "ALIYUN 2025-12"\n  id: "ALIYUN-2512"\n'
            "  Expenses:Cloud  312.00 CNY\n  Liabilities:Payable:Aliyun  -312.00 CNY\n\n")


def test_a_payout_still_in_transit_before_the_lookback_is_linked_as_on_the_whole_books(merchant, tmp_path):
    """December's payout never reached the bank: still in transit where the lookback
    starts, the carried ledger holds it entry by entry (forward._InTransit), and B2 is
    linked to it with --since as on the whole books (blind21: a payout of July credited
    in November was only a balance there, and its credit bank-unmatched)."""
    (status, whole), (status_since, since) = both(merchant, tmp_path, "link", "B2", "payout-100200300")
    assert status == status_since == 0 and since == whole, (whole, since)


@pytest.mark.parametrize("month, said", [("march", "expected YYYY-MM"), ("2027-01", "the books hold no entry")])
def test_a_bad_month_is_exit_2_and_nothing_written(merchant, month, said):
    before = snapshot(merchant / "books")
    result = beanclear(merchant, "ack", "bank-unmatched", "B4", "--reason", "x", "--since", month)
    assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output, result.output
    assert snapshot(merchant / "books") == before


def test_the_first_ack_since_a_month_is_in_the_books_carried_forward(merchant):
    """The first ack writes acks.beancount and its include in main.beancount: the books
    carried forward take main's new line with the write (forward.follow), so `check
    --since` lists it acknowledged, as the whole check does (blind21: the first
    write-off's include never reached them, and what it wrote off was listed open)."""
    assert beanclear(merchant, "ack", "bank-unmatched", "B4", "--reason", "rent", "--since", "2026-03").exit_code == 0
    assert 'include "acks.beancount"' in (merchant / "books" / CARRIED).read_text(encoding="utf-8")
    since = beanclear(merchant, "check", "--since", "2026-03").output.splitlines()
    whole = beanclear(merchant, "check").output.splitlines()
    assert [" ".join(line.split()) for line in since if "B4" in line] == \
        [" ".join(line.split()) for line in whole if "B4" in line]   # (the code column's width: the codes listed)
    assert any(line.startswith("acknowledged") and "B4" in line for line in since)


def test_a_line_a_person_adds_to_main_makes_the_carried_books_stale_until_carried(merchant):
    """main.beancount's own lines, changed by hand: the books carried forward say they are
    stale (bean-check, Fava), and the next `--since` command takes the lines as they are."""
    from beanclear import books
    assert beanclear(merchant, "carry", "2026-03").exit_code == 0
    (merchant / "books" / "own.beancount").write_text('2026-03-06 note Assets:Bank:Ops "called the bank"\n',
                                                       encoding="utf-8")
    main = merchant / "books" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + 'include "own.beancount"\n', encoding="utf-8")
    _, errors, _ = books.load(merchant / "books" / CARRIED)
    assert [e.message for e in errors if "carry" in e.message] == [
        "beanclear: main.beancount changed since these books from 2026-03 were carried forward: run "
        "`beanclear carry 2026-03` again"]
    result = beanclear(merchant, "carry", "2026-03")
    assert result.exit_code == 0 and "its includes brought up to date" in result.output
    entries, errors, _ = books.load(merchant / "books" / CARRIED)
    assert not [e for e in errors if "carry" in e.message]
    assert any(getattr(e, "comment", None) == "called the bank" for e in entries)


def test_a_link_whose_item_of_the_lookback_has_the_link_already_names_no_file_before_the_month(merchant):
    """The message names the month files before the month the write changed, not those it
    planned an edit of: a bill that carries its link already is not written (blind21: an
    order of the lookback named, "written into shopify/2026/2026-10.beancount", unwritten)."""
    february = merchant / "books" / "ops" / "2026" / "2026-02.beancount"
    february.write_text(february.read_text(encoding="utf-8").replace(
        '"ALIYUN 2026-02"\n  id: "ALIYUN-2602"', '"ALIYUN 2026-02" ^bill-ALIYUN-2602\n  id: "ALIYUN-2602"'),
        encoding="utf-8")
    before = february.read_bytes()
    result = beanclear(merchant, "link", "B3", "bill-ALIYUN-2602", "--since", "2026-03")
    assert result.exit_code == 0, result.output
    assert "written into" not in result.output and "ops/2026/2026-03.beancount" in result.output
    assert february.read_bytes() == before


def test_a_stale_acknowledgment_of_the_months_line_is_listed_by_check_since_as_by_the_whole_check(merchant):
    """B4 acknowledged as bank-unmatched, then booked: the acknowledgment matches no
    finding any more. The books carried forward hold B4 entry by entry and list its
    stale-ack as the whole check does (blind21: `check --since` never listed one); an
    acknowledgment of a ref only their balances hold is the whole books' to call stale."""
    _acked_then_booked(merchant, "B4", "Expenses:Rent", '2026-01-05 custom "beanclear-ack" "bank-unmatched" "R12" '
                       '"booked by hand"\n')
    assert _stale(merchant) == [("B4", "bank-unmatched"), ("R12", "bank-unmatched")]
    assert _stale(merchant, "--since", "2026-03") == [("B4", "bank-unmatched")]


def _acked_then_booked(merchant, ref: str, account: str, more: str) -> None:
    """`ref` acknowledged as bank-unmatched, then booked to `account`; `more` added to the acknowledgments."""
    assert beanclear(merchant, "ack", "bank-unmatched", ref, "--reason", "seen").exit_code == 0
    assert beanclear(merchant, "book", ref, account).exit_code == 0
    acks = merchant / "books" / "acks.beancount"
    acks.write_text(acks.read_text(encoding="utf-8") + more, encoding="utf-8")


def _stale(merchant, *since) -> list[tuple[str, str]]:
    """(ref, code) of each stale-ack `check` lists."""
    result = beanclear(merchant, "check", "--format", "json", *since)
    return sorted((f["refs"][0], f["message"].split()[2]) for f in json.loads(result.output)["findings"]
                  if f["code"] == "stale-ack")


def test_a_stale_acknowledgment_of_a_line_of_the_lookback_is_listed_by_check_since(merchant):
    """blind23 (monthon): B0, a bank line of the lookback (2026-02-20), acknowledged and then
    booked: its bank-unmatched is judged on the line alone, as the whole books judge it,
    so its stale-ack is listed with --since too. An acknowledgment of a code judged on
    what came before the lookback (an order's, a day's money) naming a line of the
    lookback is left to the whole check."""
    _acked_then_booked(merchant, "B0", "Expenses:Cloud", '2026-12-07 custom "beanclear-ack" "refund-unsynced" "B0" '
                       '"not a refund"\n')
    assert _stale(merchant) == [("B0", "bank-unmatched"), ("B0", "refund-unsynced")]
    assert _stale(merchant, "--since", "2026-03") == [("B0", "bank-unmatched")]
