"""The events a merchant received that put something in the books (events.BOOKS: Stripe's
payout.*, charge.dispute.*, refund.*), imported by a thread of the merchant's own, one at
a time, in the order they came, under the merchant's writer lock.

A webhook is answered once its event is verified and archived, never once the books have
it: a scheduled fetch holds the books for minutes, and a channel takes an answer later
than a few seconds as a failure and delivers again (blind10 livefeed: 41-105 s). Until
the books have it, each event waits as events/<source>/.pending/<name>.json, written
before the event's archive and removed once its import is done, so that a stop or a
crash between the answer and the import loses nothing. An import that fails leaves it
there, said at /status (`last_event_error`, `pending_events`), and it is tried again
on its own, later and later (RETRY_AFTER: a channel answered 200 does not deliver it
again, and under `serve --no-schedule` no fetch comes), when the channel delivers it
again, after each scheduled fetch, and when serve starts."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

log = logging.getLogger("beanclear.serve")
PENDING = ".pending"
# Seconds after an event's 1st, 2nd, 3rd… failed import before it is tried again on its
# own; the last, from then on. What failed may mend itself (Stripe knows the refund's
# balance transaction a minute later, the books are no longer held) or need a person (a
# key set, a month reopened): tried hourly, said at /status until then.
RETRY_AFTER = (60.0, 300.0, 1800.0, 3600.0)


def marker_of(event_file: Path) -> Path:
    """events/<source>/<name>.json -> events/<source>/.pending/<name>.json"""
    return event_file.parent / PENDING / event_file.name


def markers(events: Path, source: str | None = None) -> list[Path]:
    """The events of `source` (all sources: None) not in the books yet, oldest first."""
    folders = [events / source] if source else sorted(p for p in events.glob("*") if p.is_dir())
    found = [p for folder in folders for p in (folder / PENDING).glob("*.json")]
    return sorted(found, key=lambda p: (_mtime(p), p.name))


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


class Inbox:
    """One merchant's queue of events to import, and the thread that imports them."""

    def __init__(self, merchant):
        self.merchant = merchant
        self._cond = threading.Condition()
        self._due: list[Path] = []   # markers to try, in order
        self._later: dict[Path, float] = {}   # marker whose import failed -> when to try it again (monotonic)
        self._failures: dict[Path, int] = {}  # marker -> its imports failed in a row
        self._busy = False
        self._stop = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Take what an earlier run left pending, then import as events come."""
        with self._cond:
            if self._thread is not None:
                return
            self._stop = False
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name=f"beanclear-events{self.merchant.prefix or ''}")
        self.retry_all()
        self._thread.start()

    def add(self, marker: Path) -> None:
        with self._cond:
            self._later.pop(marker, None)   # due now: delivered again, a fetch came, serve started
            if marker not in self._due:
                self._due.append(marker)
            self._cond.notify_all()

    def retry_all(self) -> None:
        """Every event not in the books yet, those whose import failed too, tried (again)."""
        for marker in markers(self.merchant.live.events):
            self.add(marker)

    def pending(self, source: str) -> list[tuple[str, str | None]]:
        """(`<event id> <type>`, why its last import failed or None) of each of the
        source's events not in the books yet."""
        from beanclear.live.serve import events
        return [events.pending_label(p) for p in markers(self.merchant.live.events, source)]

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until nothing is due nor being imported (False if `timeout` passed first)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._due and not self._busy, timeout)

    def stop(self) -> None:
        """Finish the import under way, start no other: what is due stays pending."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    def join(self) -> None:
        thread = self._thread
        if thread is not None:
            thread.join()
        with self._cond:
            self._thread = None

    def _run(self) -> None:
        from beanclear.live.serve import events
        while True:
            with self._cond:
                while not self._stop and not self._due:
                    self._cond.wait(self._until_retry())
                if self._stop:
                    return
                marker = self._due.pop(0)
                self._busy = True
            try:
                with self.merchant.lock:   # a fetch under way ends first
                    if not self._stop:
                        events.take(self.merchant, marker)
            except Exception:   # the thread must go on with the next event: said, the event stays pending
                log.exception("%s: the event of %s", self.merchant.prefix or "serve", marker)
            finally:
                with self._cond:
                    self._busy = False
                    self._after(marker)
                    self._cond.notify_all()

    def _after(self, marker: Path) -> None:
        """An import done forgets the event; one failed (its marker still there) is tried
        again later, unless something made it due again meanwhile. Under the condition."""
        if not marker.exists():
            self._failures.pop(marker, None)
            return
        failed = self._failures[marker] = self._failures.get(marker, 0) + 1
        if marker not in self._due:
            self._later[marker] = time.monotonic() + RETRY_AFTER[min(failed, len(RETRY_AFTER)) - 1]

    def _until_retry(self) -> float | None:
        """Seconds to wait for the next failed import to try again (None: none waits);
        those whose time came are made due. Under the condition."""
        now = time.monotonic()
        for marker, when in list(self._later.items()):
            if when <= now:
                del self._later[marker]
                self._due.append(marker)
        if self._due:
            return 0.0
        return min(self._later.values()) - now if self._later else None
