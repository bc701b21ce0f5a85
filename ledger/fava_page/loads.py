"""Fava's loads of the books in this process, and which files the books it holds were read from.

The page decides a write under the books' lock from the books Fava has loaded, once it
knows they are the files as they are then (`read`: the files as the load they come from
found them, taken before it read them). Fava loads in the thread of each request that
finds the books changed, without that lock, and two such loads may overlap: the one that
read the books first may end last, leaving Fava the older books while the other's files
are the newer ones (blind10: a Write off, then an Acknowledge of the same finding decided
from a load read before the write-off, written: an acknowledgment of a finding the books
had resolved). So:

- a load's files are taken as it begins (the watcher's check that starts it, or the
  page's own load), in its thread; as it ends (the extension's after_load_file, in the
  same thread) they are what Fava holds only where no other load was under way at any
  time during it; otherwise which load's books Fava holds is not known (`read` None),
  and the page loads them again under the lock before it decides;
- under the lock, a write first waits for the loads begun before it took the lock
  (`settle`): they may have read the books before the last write and would replace
  what the page decides from when they end. A load begun under the lock reads the
  books as they are then (nothing writes them meanwhile).
"""

from __future__ import annotations

import threading

from beanclear.books.atomic import BooksBusy


class Loads:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._under_way: dict[int, object] = {}   # thread -> the files as its load began (None: not known)
        self._overlapped = False                  # another load was under way during one of those
        self.read = None   # the files the books Fava holds were read from; None: not known

    def begin(self, files) -> None:
        """A load begins in this thread; `files()`: the books' files now. A check made
        again inside a load under way (Fava's watcher checks once loaded) begins none."""
        me = threading.get_ident()
        with self._cond:
            if me in self._under_way:
                return
            if self._under_way:
                self._overlapped = True
            self.read = None
            self._under_way[me] = files()

    def end(self) -> None:
        """The load of this thread ended: Fava holds its books, unless another was under
        way meanwhile (then not known). A load that no begin() saw (Fava's first, or one
        of its editor's saves) is not known either."""
        me = threading.get_ident()
        with self._cond:
            before = self._under_way.pop(me, None)
            if self._under_way:
                self._overlapped, self.read = True, None
            else:
                self.read = None if self._overlapped else before
                self._overlapped = False
            self._cond.notify_all()

    def settle(self, seconds: float) -> None:
        """Wait, under the books' lock, for the loads of other threads under way to end
        (they may have read the books before the last write); BooksBusy after `seconds`."""
        me = threading.get_ident()
        with self._cond:
            if not self._cond.wait_for(lambda: not set(self._under_way) - {me}, timeout=seconds):
                raise BooksBusy(f"Fava is still loading the books, for {seconds:.0f} s; try again")
