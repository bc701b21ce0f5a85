"""Books a git merge left unresolved: a file holding git's conflict markers (`<<<<<<<`,
`=======`, `>>>>>>>` lines) is no file to write into. blind24 (two accountants): after a
merge left both sides' lines in books/acks.beancount between markers, `beanclear ack`
decided from those books and appended its line below the conflict, exit 0. Every
command that writes the books refuses now, exit 2, at the marker's file and line, and
the books are as they were; `check` lists the markers as Beancount's errors, their
date column a dash, not "None"."""

from __future__ import annotations

import pytest

from conftest import FUND, bank_file, beanclear, snapshot

# what git leaves where two branches each appended a line to one file
CONFLICT = ('<<<<<<< HEAD\n2021-03-01 custom "beanclear-ack" "refund-rate" "B9" "ours"\n=======\n'
            '2021-03-01 custom "beanclear-ack" "refund-rate" "B8" "theirs"\n>>>>>>> a\n')
REFUND = "50300806962021020105978994968"   # a ref of the refund-rate warning the wechat bill makes


@pytest.fixture
def books(merchant, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2021-03-01")
    result = beanclear(merchant, "import", str(merchant / "statements" / "bank.csv"), str(merchant / "statements" / FUND))
    assert result.exit_code == 0, result.output
    return merchant


def conflicted(root, name: str) -> int:
    """Leave a conflict in the books' file `name`; the line of its `<<<<<<<`."""
    path = root / "books" / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text + CONFLICT, encoding="utf-8")
    return text.count("\n") + 1


COMMANDS = {
    "import": lambda root: ("import", str(bank_file(root, "late.csv", rows=("2021-02-03,B100,电费,国家电网,-20.00,480.03",)))),
    "ack": lambda root: ("ack", "statement-gap", "B001", "--reason", "fine"),
    "follow-up": lambda root: ("follow-up", "refund-rate", REFUND, "--owner", "bob", "--due", "2021-03-10"),
    "book": lambda root: ("book", "B001", "Expenses:Misc"),
}


@pytest.mark.parametrize("name", ["acks.beancount", "ops/2021/2021-02.beancount"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_that_writes_refuses_books_holding_a_merge_conflict(books, name, command):
    line = conflicted(books, name)
    args = COMMANDS[command](books)
    before = snapshot(books / "books")
    result = beanclear(books, *args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert (f"books/{name}:{line}: unresolved merge conflict (git's <<<<<<< marker): resolve it first"
            in result.output), result.output
    assert snapshot(books / "books") == before


def test_close_refuses_books_holding_a_merge_conflict(demo_copy):
    root = demo_copy(problems=False)
    line = conflicted(root, "acks.beancount")
    before = snapshot(root / "books")
    result = beanclear(root, "close", "2026-01")
    assert result.exit_code == 2, (result.output, result.exception)
    assert (f"books/acks.beancount:{line}: unresolved merge conflict (git's <<<<<<< marker): resolve it first; "
            "nothing was written") in result.output
    assert snapshot(root / "books") == before


def test_an_action_done_already_is_refused_too_on_books_holding_a_merge_conflict(books):
    # "already acknowledged" read from both sides of a conflict may be one side's only
    assert beanclear(books, "ack", "statement-gap", "B001", "--reason", "fine").exit_code == 0
    line = conflicted(books, "acks.beancount")
    result = beanclear(books, "ack", "statement-gap", "B001", "--reason", "fine")
    assert result.exit_code == 2 and "already" not in result.output
    assert f"books/acks.beancount:{line}: unresolved merge conflict" in result.output


def test_the_marker_said_is_the_first_left(books):
    # a person who took out the `<<<<<<<` line only still has a conflict to resolve
    path = books / "books" / "acks.beancount"
    line = conflicted(books, "acks.beancount")
    path.write_text(path.read_text(encoding="utf-8").replace("<<<<<<< HEAD\n", ""), encoding="utf-8")
    result = beanclear(books, "ack", "statement-gap", "B001", "--reason", "fine")
    assert result.exit_code == 2
    assert f"books/acks.beancount:{line + 1}: unresolved merge conflict (git's ======= marker)" in result.output


# -- must not fire ------------------------------------------------------------------------------

def test_marker_like_text_that_is_no_marker_line_does_not_stop_a_write(books):
    # git writes a marker at the start of a line, exactly 7 of one character: a narration
    # or a comment holding them, or a ruler of 8, is the books' own text
    path = books / "books" / "ops" / "2021" / "2021-02.beancount"
    path.write_text(path.read_text(encoding="utf-8") + '\n; ======= a ruler\n; <<<<<<< HEAD\n;========\n'
                    '2021-02-05 * "x" "split =======  >>>>>>> <<<<<<<"\n  Expenses:Rent  1.00 CNY\n'
                    "  Assets:Bank:Ops  -1.00 CNY\n", encoding="utf-8")
    result = beanclear(books, "ack", "statement-gap", "B001", "--reason", "fine")
    assert result.exit_code == 0, result.output
    assert "beanclear-ack" in (books / "books" / "acks.beancount").read_text(encoding="utf-8")


def test_unmerged_finds_nothing_in_books_without_markers(books):
    from beanclear.books.unmerged import unmerged
    assert unmerged(books / "books") is None
    conflicted(books, "acks.beancount")
    assert str(unmerged(books / "books")).startswith("books/acks.beancount:")


# -- check lists them, as Beancount says them --------------------------------------------------

def test_check_lists_the_markers_without_a_date_and_aligned(books):
    line = conflicted(books, "acks.beancount")
    result = beanclear(books, "check")
    assert result.exit_code == 1
    markers = [row for row in result.output.splitlines() if "Invalid token" in row]
    assert len(markers) >= 3 and not any("None" in row for row in markers), result.output
    dated = next(row for row in result.output.splitlines() if row.startswith("warning refund-rate"))
    # the source column where a dated finding has it
    assert markers[0] == (f"error   beancount     -          -       : Invalid token: '<<<<<<<' "
                          f"(books/acks.beancount:{line})")
    assert dated.index("wechat") == markers[0].index("-       :")

