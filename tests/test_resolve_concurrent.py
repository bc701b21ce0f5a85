"""Actions run at the same time (blind9): the decision whether an action is done already,
and which accounts it must open, is made under the books' write lock against the books
as they are then. A write made from books another write changed since they were read is
made anew from them there (books/edits.apply's `read` and `again`), so that N identical
write-offs write one entry and one `open` line, on both doors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from beanclear import config as config_mod
from beanclear.books import atomic, edits
from beanclear.checks import checking
from beanclear.resolve import Books, ResolveError, acknowledging, booking, followup, write, writeoff
from conftest import beanclear, snapshot

DATA = Path(__file__).parent / "data" / "resolve"
OFF = 'write-off: "payout-mismatch"'
OPEN = "open Expenses:Fees:Bank"


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    shutil.copytree(DATA, tmp_path / "m")
    return tmp_path / "m"


def text(shop, name):
    path = shop / "books" / name
    return path.read_text(encoding="utf-8") if path.exists() else ""


# What each door makes of an action, from the books it read (resolve/command.py's makers)
ACTIONS = {
    "write-off payout-mismatch": lambda c, b: writeoff.write_off(c, b.entries, b.findings(), "payout-mismatch", "B1"),
    "write-off fee-gap": lambda c, b: writeoff.write_off(c, b.entries, b.findings(), "fee-gap", "T1"),
    "ack": lambda c, b: acknowledging.acknowledge(b.findings(), "fee-gap", "T1", "agreed with WeChat", b.entries,
                                                  c.root),
    "follow-up": lambda c, b: followup.follow_up(c, b.entries, b.findings(), "payout-mismatch", "B1", "alice",
                                                 "2026-04-16", "ask the bank"),
    "book": lambda c, b: booking.book(c, b.entries, "B2", "Expenses:Hosting", None, "cloud", None),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_two_plans_from_one_read_write_once(shop, action):
    """Two doors read the books before either writes (the tester's race, made certain):
    the second write finds under the lock that the books changed since its read, makes
    its plan anew from them, and that plan is `nothing` (done already): one write."""
    config = config_mod.load(shop / "config.yaml")
    make = ACTIONS[action]
    first, second = Books.load(config), Books.load(config)
    plans = make(config, first), make(config, second)
    assert not plans[0].nothing and not plans[1].nothing   # each, from its read, has something to write
    assert write(config, plans[0], first.read, again=lambda: make(config, Books.load(config)))
    after = snapshot(shop / "books")
    assert write(config, plans[1], second.read, again=lambda: make(config, Books.load(config))) == []
    assert plans[1].nothing and "nothing was written" in plans[1].message, plans[1].message
    assert snapshot(shop / "books") == after


def test_a_stale_write_without_a_way_to_make_it_anew_is_refused_and_writes_nothing(shop):
    config = config_mod.load(shop / "config.yaml")
    books = Books.load(config)
    plan = ACTIONS["write-off payout-mismatch"](config, books)
    other = ACTIONS["ack"](config, Books.load(config))
    write(config, other, books.read)   # another write comes first
    before = snapshot(shop / "books")
    with pytest.raises(edits.BooksChanged, match="the books changed since they were read"):
        write(config, plan, books.read)
    assert snapshot(shop / "books") == before


def test_a_write_from_books_as_they_are_is_made_as_planned(shop):
    """Must not fire: nothing wrote in between, the plan is written as made (no second load)."""
    config = config_mod.load(shop / "config.yaml")
    books = Books.load(config)
    plan = ACTIONS["write-off payout-mismatch"](config, books)

    def again():
        raise AssertionError("made anew though the books did not change")
    assert write(config, plan, books.read, again=again)
    assert text(shop, "writeoffs.beancount").count(OFF) == 1


# `beanclear ARGS` in a process that, once it has read the books, waits until every other
# process has read them too (a barrier of files): each then writes from books read before
# any write, the tester's race made certain, whatever the machine's speed.
RUN = """
import os, sys, time
from pathlib import Path
from beanclear import resolve
from beanclear.checks import checking
barrier, n = Path(os.environ["BARRIER"]), int(os.environ["PROCESSES"])
read = [0]
def waiting(real):
    def wrapped(*args, **kwargs):
        out = real(*args, **kwargs)
        read[0] += 1
        if read[0] == 1:   # the first read; a read made again (under the lock) waits for none
            (barrier / str(os.getpid())).touch()
            deadline = time.monotonic() + 60
            while len(list(barrier.iterdir())) < n and time.monotonic() < deadline:
                time.sleep(0.02)
        return out
    return wrapped
resolve.Books.load = classmethod(waiting(resolve.Books.load.__func__))
checking.check = waiting(checking.check)
from beanclear.cli import main
sys.argv = ["beanclear"] + sys.argv[1:]
main()
"""


def processes(shop, n, *args):
    """`beanclear ARGS` in n processes started at once; their (exit status, output)."""
    barrier = shop.parent / f"barrier-{args[0]}-{len(list(shop.parent.iterdir()))}"
    barrier.mkdir()
    env = {**os.environ, "BEANCLEAR_TODAY": "2026-04-02", "BARRIER": str(barrier), "PROCESSES": str(n)}
    started = [subprocess.Popen([sys.executable, "-c", RUN, args[0], "-c", str(shop / "config.yaml"), *args[1:]],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
               for _ in range(n)]
    return [(p.wait(300), p.stdout.read()) for p in started]


def test_identical_write_offs_run_at_once_write_one_entry_and_one_open_line(shop):
    """blind9: 4 × `beanclear write-off payout-mismatch …` at once wrote 2-4 entries and as
    many `open` lines: 1.00-2.00 CNY expensed for a 0.50 difference, a Duplicate open
    directive, and transit off by the extra write-offs."""
    done = processes(shop, 4, "write-off", "payout-mismatch", "B1")
    assert all(status == 0 for status, _ in done), done
    said = [out for _, out in done]
    assert sum("0.50 CNY written off to Expenses:Fees:Bank" in out for out in said) == 1, said
    assert sum("is written off already" in out and "nothing was written" in out for out in said) == 3, said
    assert text(shop, "writeoffs.beancount").count(OFF) == 1
    assert text(shop, "accounts.beancount").count(OPEN) == 1
    found = checking.check(config_mod.load(shop / "config.yaml")).findings
    assert not [f for f in found if f.code in ("payout-mismatch", "beancount")]


@pytest.mark.parametrize("args, written", [
    (("write-off", "fee-gap", "T1"), ("writeoffs.beancount", 'write-off: "fee-gap"')),
    (("ack", "bank-unmatched", "B3", "--reason", "a loan from the owner"), ("acks.beancount", '"bank-unmatched" "B3"')),
    (("follow-up", "payout-mismatch", "B1", "--owner", "alice", "--due", "2026-04-16"),
     ("acks.beancount", '"beanclear-follow-up" "payout-mismatch" "B1"')),
])
def test_other_identical_actions_at_once_write_once(shop, args, written):
    done = processes(shop, 3, *args)
    assert all(status == 0 for status, _ in done), done
    name, line = written
    assert text(shop, name).count(line) == 1


def test_a_write_off_from_the_page_after_the_command_wrote_it_writes_nothing(demo_copy, monkeypatch):
    """blind9: the command line and the page's Write off at once doubled at every delay:
    the page wrote from the books Fava had loaded before the command's write (its file
    watcher had not told it yet). Under the lock the page sees the books changed since
    Fava loaded them, loads them again, and its plan is done already."""
    from test_fava_page import Fava
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    fava = Fava(demo_copy())
    # a first write of the page, and the page again: Fava has loaded the books since it began
    assert fava.post("acknowledge", {"code": "refund-surge", "ref": "50300941320260127000000004126",
                                     "reason": "Spring Festival returns"}).status_code == 200
    fava.page()
    ledger = fava.client.application.config["LEDGERS"][unquote(fava.slug)]
    monkeypatch.setattr(type(ledger), "changed", lambda self: False)   # Fava has not noticed the write yet
    assert beanclear(fava.merchant, "write-off", "payout-mismatch", "20260106000006").exit_code == 0
    after = snapshot(fava.merchant / "books")
    response = fava.post("write_off", {"code": "payout-mismatch", "ref": "20260106000006"})
    assert response.status_code == 200, response.json
    assert response.json["done"] is False and "written off already" in response.json["message"]
    assert snapshot(fava.merchant / "books") == after
    assert text(fava.merchant, "writeoffs.beancount").count(OFF) == 1
    assert text(fava.merchant, "accounts.beancount").count(OPEN) == 1


def test_an_append_to_a_decision_file_is_decided_again_under_the_lock(shop):
    """close, reopen and the page's rejections append through edits.append_to: the same
    rule. Decided again to nothing, it writes nothing; with no way to decide again, it
    refuses."""
    root = shop / "books"
    read = atomic.Snapshot.of(root)
    edits.append_to(root, "periods.beancount", "; periods\n", "\n2026-03-31 custom \"beanclear-close\" \"2026-03\"\n",
                    after=("acks.beancount",))
    after = snapshot(root)
    block = "\n2026-03-31 custom \"beanclear-close\" \"2026-03\"\n"
    assert edits.append_to(root, "periods.beancount", "; periods\n", block, ("acks.beancount",), read=read,
                           again=lambda: "") == []
    with pytest.raises(edits.BooksChanged):
        edits.append_to(root, "periods.beancount", "; periods\n", block, ("acks.beancount",), read=read)
    assert snapshot(root) == after
    # must not fire: read as they are, it is appended
    assert edits.append_to(root, "acks.beancount", "", "; a note\n", (), read=atomic.Snapshot.of(root))


# -- different actions on one finding at once (blind10): the first wins ---------------------------
#
# A write-off resolves its finding (the books answer it); an acknowledgment or a follow-up
# leaves it listed (README "Follow up": following up and acknowledged are states of an open
# finding, the later decision its state). So of a Write off, an Acknowledge and a Follow up
# of one finding at once, each is decided under the lock from the books as the others left
# them: after the write-off, the others are refused, saying the write-off resolved it; a
# write-off after the others is written, as one after the other.

WROTE_OFF = "the write-off at books/writeoffs.beancount:"


@pytest.mark.parametrize("after", ["ack", "follow-up"])
def test_an_ack_or_follow_up_made_from_the_books_before_a_write_off_is_refused_after_it(shop, after):
    """blind10: Write off, Acknowledge and Follow up of one finding clicked at the same
    moment all wrote: an acknowledgment of a finding the write-off had resolved. The one
    decided after the write-off, under the lock, from the books as they are then, finds
    no finding left, and says what resolved it."""
    config = config_mod.load(shop / "config.yaml")
    make_off = ACTIONS["write-off fee-gap"]
    make = {"ack": ACTIONS["ack"],
            "follow-up": lambda c, b: followup.follow_up(c, b.entries, b.findings(), "fee-gap", "T1", "alice",
                                                         "2026-04-16", "ask WeChat")}[after]
    first, second = Books.load(config), Books.load(config)   # both read before either writes
    off, plan = make_off(config, first), make(config, second)
    assert write(config, off, first.read, again=lambda: make_off(config, Books.load(config)))
    after_off = snapshot(shop / "books")
    with pytest.raises(ResolveError) as refused:
        write(config, plan, second.read, again=lambda: make(config, Books.load(config)))
    said = str(refused.value)
    assert said.startswith("no fee-gap finding names T1: ") and WROTE_OFF in said, said
    assert "nothing was written" in said
    assert snapshot(shop / "books") == after_off
    # one after the other, the same refusal
    with pytest.raises(ResolveError, match="the write-off at books/writeoffs.beancount:[0-9]+ resolved it"):
        make(config, Books.load(config))


def test_a_follow_up_then_a_write_off_of_one_finding_at_once_are_both_written(shop):
    """Must not fire: following up leaves the finding open (README "Follow up"), so the
    write-off decided after it is written, as one after the other."""
    config = config_mod.load(shop / "config.yaml")
    make_up = lambda c, b: followup.follow_up(c, b.entries, b.findings(), "fee-gap", "T1", "alice",  # noqa: E731
                                              "2026-04-16", "ask WeChat")
    make_off = ACTIONS["write-off fee-gap"]
    first, second = Books.load(config), Books.load(config)
    up, off = make_up(config, first), make_off(config, second)
    assert write(config, up, first.read, again=lambda: make_up(config, Books.load(config)))
    assert write(config, off, second.read, again=lambda: make_off(config, Books.load(config)))
    assert not off.nothing and "0.40 CNY written off" in off.message, off.message
    assert text(shop, "acks.beancount").count('"beanclear-follow-up" "fee-gap" "T1"') == 1
    assert text(shop, "writeoffs.beancount").count('write-off: "fee-gap"') == 1
    found = checking.check(config_mod.load(shop / "config.yaml")).findings
    assert not [f for f in found if f.code == "fee-gap"]   # resolved by the books


def test_two_findings_resolved_at_once_are_both_written(shop):
    """Must not fire: a write-off of one finding and a follow-up of another, from one read."""
    config = config_mod.load(shop / "config.yaml")
    make_off, make_up = ACTIONS["write-off fee-gap"], ACTIONS["follow-up"]   # T1; payout-mismatch B1
    first, second = Books.load(config), Books.load(config)
    off, up = make_off(config, first), make_up(config, second)
    assert write(config, off, first.read, again=lambda: make_off(config, Books.load(config)))
    assert write(config, up, second.read, again=lambda: make_up(config, Books.load(config)))
    assert not up.nothing
    assert text(shop, "writeoffs.beancount").count('write-off: "fee-gap"') == 1
    assert text(shop, "acks.beancount").count('"beanclear-follow-up" "payout-mismatch" "B1"') == 1


def test_write_off_ack_and_follow_up_commands_at_once_write_as_one_after_the_other(shop):
    """The three commands on one finding in three processes, each reading the books before
    any writes: whichever takes the lock first, the write-off is written once, and what
    comes after it is refused saying the write-off resolved it (exit 2); what came before
    it is written (exit 0). No acknowledgment or follow-up is written after the write-off."""
    commands = [("write-off", "fee-gap", "T1"), ("ack", "fee-gap", "T1", "--reason", "agreed with WeChat"),
                ("follow-up", "fee-gap", "T1", "--owner", "alice", "--due", "2026-04-16")]
    done = at_once(shop, commands)
    said = dict(zip(("write-off", "ack", "follow-up"), done))
    assert said["write-off"][0] == 0 and "written off to Expenses:Fees:WeChat" in said["write-off"][1], said
    for name in ("ack", "follow-up"):
        status, out = said[name]
        assert status in (0, 2), said
        if status == 2:
            assert "no fee-gap finding names T1: " + WROTE_OFF in out, out
    assert text(shop, "writeoffs.beancount").count('write-off: "fee-gap"') == 1
    # written before the write-off, each line is an ack or follow-up of a finding then open:
    # the books (check) hold no finding of it, and no decision names a finding they lack
    found = checking.check(config_mod.load(shop / "config.yaml")).findings
    assert not [f for f in found if f.code == "fee-gap"]
    written = [name for name in ("ack", "follow-up") if said[name][0] == 0]
    lines = text(shop, "acks.beancount")
    assert ('"beanclear-ack" "fee-gap" "T1"' in lines) == ("ack" in written)
    assert ('"beanclear-follow-up" "fee-gap" "T1"' in lines) == ("follow-up" in written)


def at_once(shop, commands):
    """Each of `commands` (beanclear ARGS) in a process of its own, started at once, each
    reading the books before any writes (RUN's barrier); their (exit status, output)."""
    barrier = shop.parent / f"barrier-mixed-{len(list(shop.parent.iterdir()))}"
    barrier.mkdir()
    env = {**os.environ, "BEANCLEAR_TODAY": "2026-04-02", "BARRIER": str(barrier), "PROCESSES": str(len(commands))}
    started = [subprocess.Popen([sys.executable, "-c", RUN, args[0], "-c", str(shop / "config.yaml"), *args[1:]],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
               for args in commands]
    return [(p.wait(300), p.stdout.read()) for p in started]


# -- the page: Fava's loads of the books, each in the thread of a request, may overlap ------------

FEE_GAP = "4200007953202602050000001564"          # the demo's fee-gaps (seed 7)
OTHER_FEE_GAP = "4200002283202602050000001549"


class Loads:
    """Fava over a copy of the demo, whose loads of the books in named threads stop once
    they have read the files, until let go: the order loads end in, made certain."""

    def __init__(self, merchant, monkeypatch):
        import threading
        import fava.core
        from fava import application
        from fava_util import PAGE
        self.merchant, self.page, self.threading = merchant, PAGE, threading
        self.app = application.create_app([merchant / "books" / "main.beancount"], load=True, poll_watcher=True)
        self.app.testing = True
        self.slug = self.app.test_client().get("/").headers["Location"].split("/")[1]
        self.held: dict[str, tuple] = {}
        real = fava.core.load_uncached

        def load(*args, **kwargs):
            out = real(*args, **kwargs)
            gate = self.held.get(threading.current_thread().name)
            if gate is not None:
                gate[0].set()
                assert gate[1].wait(120), "never let go"
            return out
        monkeypatch.setattr(fava.core, "load_uncached", load)

    def post(self, endpoint, body):
        return self.app.test_client().post(f"/{self.slug}/{self.page}{endpoint}", json=body,
                                           headers={"Origin": "http://localhost"})

    def load_held(self, name):
        """A request (a page view in another tab) whose load of the books has read them and
        waits: (its thread, the event that lets it go on)."""
        read, go = self.threading.Event(), self.threading.Event()
        self.held[name] = (read, go)
        thread = self.threading.Thread(target=lambda: self.app.test_client().get(f"/{self.slug}/{self.page}"),
                                       name=name)
        thread.start()
        assert read.wait(120), "the load never began"
        return thread, go

    def post_letting_go(self, endpoint, body, go):
        """POST while a load is held; where the write waits (for that load, under the
        books' lock), let the load go on. The answer."""
        out = {}
        thread = self.threading.Thread(target=lambda: out.setdefault("response", self.post(endpoint, body)))
        thread.start()
        while thread.is_alive():
            if waiting(thread):
                go.set()
                break
            thread.join(0.01)
        thread.join(120)
        return out["response"]


def waiting(thread) -> bool:
    """Whether `thread` is blocked on a threading wait (an Event, a Condition)."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name in ("wait", "wait_for") and frame.f_code.co_filename.endswith("threading.py"):
            return True
        frame = frame.f_back
    return False


def overlapping_loads(demo_copy, monkeypatch):
    """The tester's race, its order made certain: after a first write of the page, a load
    of Fava's (a page view in tab X, or the request of another button) reads the books;
    the page's Write off of FEE_GAP is written; a load in tab Y reads the books; X's load
    ends before Y's. Fava then holds the books as read before the write-off while a load
    of them after it is under way. (Under the lock the write-off waits for X's load: it
    is let go then, and Y's begins after it.)"""
    monkeypatch.setenv("BEANCLEAR_TODAY", "2026-04-02")
    fava = Loads(demo_copy(), monkeypatch)
    assert fava.app.test_client().get(f"/{fava.slug}/{fava.page}").status_code == 200
    assert fava.post("acknowledge", {"code": "refund-surge", "ref": "50300941320260127000000004126",
                                     "reason": "Spring Festival returns"}).status_code == 200
    x, go_x = fava.load_held("X")
    off = fava.post_letting_go("write_off", {"code": "fee-gap", "ref": FEE_GAP}, go_x)
    assert off.status_code == 200 and off.json["done"], off.json
    y, go_y = fava.load_held("Y")
    go_x.set()
    x.join(120)
    return fava, y, go_y


@pytest.mark.parametrize("endpoint, body", [
    ("acknowledge", {"code": "fee-gap", "ref": FEE_GAP, "reason": "tab B"}),
    ("follow_up", {"code": "fee-gap", "ref": FEE_GAP, "owner": "carol", "due": "2026-04-20"}),
])
def test_the_page_decides_from_the_books_as_they_are_not_from_a_load_that_read_them_before_a_write(
        demo_copy, monkeypatch, endpoint, body):
    """blind10: Write off, Acknowledge and Follow up of one finding at once in three tabs
    all wrote. Fava loads the books in the thread of each request that finds them changed,
    without the books' lock; a load that read them before the write-off and ended after one
    that read them after it left Fava the older books, while the page took them for the
    newer: the Acknowledge was decided from books where the finding was still open. Under
    the lock the page waits for such a load, loads the books again, and refuses, saying
    the write-off resolved it."""
    fava, y, go_y = overlapping_loads(demo_copy, monkeypatch)
    before = snapshot(fava.merchant / "books")
    try:
        response = fava.post_letting_go(endpoint, body, go_y)
    finally:
        go_y.set()
        y.join(120)
    assert response.status_code == 409, response.json
    assert f"no fee-gap finding names {FEE_GAP}: the write-off at books/writeoffs.beancount:" \
        in response.json["error"], response.json
    assert snapshot(fava.merchant / "books") == before
    assert FEE_GAP not in text(fava.merchant, "acks.beancount")


def test_the_page_resolves_another_finding_while_such_loads_overlap(demo_copy, monkeypatch):
    """Must not fire: of the same books, the Acknowledge of another finding is written."""
    fava, y, go_y = overlapping_loads(demo_copy, monkeypatch)
    try:
        response = fava.post_letting_go("acknowledge", {"code": "fee-gap", "ref": OTHER_FEE_GAP,
                                                         "reason": "agreed with WeChat"}, go_y)
    finally:
        go_y.set()
        y.join(120)
    assert response.status_code == 200 and response.json["done"], response.json
    assert text(fava.merchant, "acks.beancount").count(f'"beanclear-ack" "fee-gap" "{OTHER_FEE_GAP}"') == 1
    # and the page, one click after the other, refuses the finding the command wrote off
    again = fava.post("follow_up", {"code": "fee-gap", "ref": FEE_GAP, "owner": "carol", "due": "2026-04-20"})
    assert again.status_code == 409 and "the write-off at books/writeoffs.beancount:" in again.json["error"]
