"""Holding an import's entries and ids without holding them all in memory (#15).

A statement of a million rows makes a million entries (~2.4 KB each in memory) and two
million ids; the import must see all of them before it writes anything (one bad row
anywhere: nothing written). Three stores keep the entries an import holds to a few
thousand, whatever the statement's length, and are one code path for every size: below
their limit nothing touches the disk.

* `Spill`: entries in the order they came (an importer's rows, the import's new
  entries); past LIMIT entries they go to a temporary file, pickled in chunks (a
  transaction as plain values: _packed; a chunk's metadata apart, for the passes that
  read only those), and are read back chunk by chunk on each pass.
* `Sorted`: entries by month, then render.sort_key, ties in the order they came (the
  order Books.plan writes them in); each LIMIT entries sorted into a run on disk, a
  month read back as the merge of the runs' chunks of that month.
* `Picked`: some of a store's entries by position (what an import writes of a
  statement), so they are not stored a second time.

The ids an import holds are in `idset.Ids`, which keeps them on disk the same way.

Cleaning up: every temporary file is unlinked as it is made (tempfile.TemporaryFile),
so nothing is left behind whatever happens, a kill included: the space goes back when
the process closes the file or ends. They are made in tempfile's directory (TMPDIR;
`BEANCLEAR_SPILL_DIR` to choose another).
"""

from __future__ import annotations

import copyreg
import datetime as dt
import heapq
import itertools
import os
import pickle
from array import array
import tempfile
from decimal import Decimal as _Decimal
from typing import Iterable, Iterator

from beancount.core.amount import Amount as _Amount
from beancount.core.data import Posting as _Posting, Transaction as _Transaction

LIMIT = int(os.environ.get("BEANCLEAR_SPILL", "10000"))           # entries a store keeps in memory
CHUNK = 256          # entries per pickle: what a pass over a spill holds of each run at a time
PROTOCOL = pickle.HIGHEST_PROTOCOL
_date, _fromordinal = dt.date, dt.date.fromordinal


def _temporary():
    """An unlinked temporary file: nothing to clean up, on any exit."""
    return tempfile.TemporaryFile(prefix="beanclear-spill-", dir=os.environ.get("BEANCLEAR_SPILL_DIR") or None)


def _tuple_of(cls, values: tuple):
    """A named tuple made back from its values without its class's __new__ (Amount's
    checks its arguments in Python: a third of the time of reading an entry back)."""
    return tuple.__new__(cls, values)


def _as_tuple(value):
    return _tuple_of, (type(value), tuple(value))


def _dispatch() -> dict:
    from beancount.core import amount, data
    table = copyreg.dispatch_table.copy()
    for cls in (amount.Amount, data.Posting, data.Transaction, data.Balance):
        table[cls] = _as_tuple
    return table


_DISPATCH: dict | None = None


def _packed(entry) -> tuple[dict | None, tuple]:
    """An entry as (its metadata (Spill.metas), the rest of it as plain values: strings,
    ints, frozensets), which pickle writes and reads back three to four times faster
    than the named tuples, dates and Decimals (exactly: str() of a Decimal reads back as
    the same Decimal, exponent and sign included). A transaction of the usual shape is
    packed; anything else is kept as it is, the rest a tuple of one."""
    if type(entry) is not _Transaction or type(entry.date) is not _date:
        return _meta(entry), (entry,)
    postings = []
    for p in entry.postings:
        units = p.units
        if type(p) is not _Posting or type(units) is not _Amount or type(units.number) is not _Decimal \
                or p.cost is not None:
            return _meta(entry), (entry,)
        postings.append((p.account, str(units.number), units.currency, p.price, p.flag, p.meta))
    return entry.meta, (entry.date.toordinal(), entry.flag, entry.payee, entry.narration, entry.tags, entry.links,
                        postings)


def _unpacked(meta: dict | None, rest: tuple):
    if len(rest) == 1:
        return rest[0]
    day, flag, payee, narration, tags, links, postings = rest
    new = tuple.__new__   # the named tuples' own __new__ would check again what was checked when they were made
    return new(_Transaction, (meta, _fromordinal(day), flag, payee, narration, tags, links,
                              [new(_Posting, (account, new(_Amount, (_Decimal(number), currency)), None, price, flag, meta))
                               for account, number, currency, price, flag, meta in postings]))


def _dump(fh, items) -> None:
    """`items` pickled where `fh` is, by a pickler of their own: each pickle is read alone."""
    global _DISPATCH
    if _DISPATCH is None:
        _DISPATCH = _dispatch()
    pickler = pickle.Pickler(fh, PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(items)


def _write_chunks(fh, items: Iterable) -> list[int]:
    """`items` (a list, or an iterator: a merge) pickled CHUNK at a time at the end of
    `fh`; the offset of each chunk."""
    fh.seek(0, os.SEEK_END)
    offsets = []
    items = iter(items)
    while chunk := list(itertools.islice(items, CHUNK)):
        offsets.append(fh.tell())
        _dump(fh, chunk)
    return offsets


def _read_chunks(fh, offsets: list[int]) -> Iterator:
    """The items of the chunks at `offsets`; of a Spill's, their metadata (_write_entries)."""
    for offset in offsets:
        fh.seek(offset)   # each pass seeks: two passes over one store may interleave
        yield from pickle.load(fh)


def _write_entries(fh, entries: list) -> list[int]:
    """A Spill's entries, packed, CHUNK at a time at the end of `fh`; the offset of each
    chunk. A chunk is two pickles: its entries' metadata, then the rest of them: a pass
    that reads only the metadata (once_per_id's) reads a third of the time it would."""
    fh.seek(0, os.SEEK_END)
    offsets = []
    for start in range(0, len(entries), CHUNK):
        metas, rests = zip(*map(_packed, entries[start:start + CHUNK]))
        offsets.append(fh.tell())
        _dump(fh, metas)
        _dump(fh, rests)
    return offsets


def _read_entries(fh, offsets: list[int]) -> Iterator:
    for offset in offsets:
        fh.seek(offset)
        metas = pickle.load(fh)
        yield from map(_unpacked, metas, pickle.load(fh))   # both read before the first is given


class Spill:
    """A list of entries that spills: append(), `+=`, len(), passes in the order they came.
    (Indexing, `+` and == a list are there for tests and small callers: they make a pass.)"""

    def __init__(self, entries: Iterable = ()):
        self._buf: list = []
        self._file = None
        self._chunks: list[int] = []
        self._spilled = 0
        self.all_transactions = True   # so far: a pass that only matters for balances can be skipped
        self.extend(entries)

    def append(self, entry) -> None:
        buf = self._buf
        buf.append(entry)
        if type(entry) is not _Transaction:
            self.all_transactions = False
        if len(buf) >= LIMIT:
            self._flush()

    def extend(self, entries: Iterable) -> None:
        for entry in entries:
            self.append(entry)

    def __iadd__(self, entries: Iterable) -> "Spill":
        self.extend(entries)
        return self

    def _flush(self) -> None:
        if self._file is None:
            self._file = _temporary()
        self._chunks += _write_entries(self._file, self._buf)
        self._spilled += len(self._buf)
        self._buf = []

    @property
    def spilled(self) -> int:
        """Entries on disk (0: all in memory)."""
        return self._spilled

    @property
    def held(self) -> int:
        """Entries in memory."""
        return len(self._buf)

    def park(self) -> None:
        """What it holds in memory written to disk too: the stores of an import's many
        statements, each below LIMIT, must not add up (importing._park)."""
        if self._buf:
            self._flush()

    def __len__(self) -> int:
        return self._spilled + len(self._buf)

    def __iter__(self) -> Iterator:
        if self._chunks:
            yield from _read_entries(self._file, list(self._chunks))
        yield from list(self._buf)

    def metas(self) -> Iterator[dict | None]:
        """Each entry's metadata if it is a transaction, else None, in the order they came:
        a pass that reads their ids needs no entry made again (a third of the time)."""
        if self._chunks:
            yield from _read_chunks(self._file, list(self._chunks))   # the first pickle of each chunk
        yield from map(_meta, list(self._buf))

    def __getitem__(self, at: int):
        if not isinstance(at, int):
            return list(self)[at]
        return list(self)[at] if at < 0 else next(e for n, e in enumerate(self) if n == at)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, Spill)) else NotImplemented

    def __add__(self, other) -> list:   # `a.entries + b.entries`, as on the lists they were
        return list(self) + list(other) if isinstance(other, (list, Spill)) else NotImplemented

    def __radd__(self, other) -> list:
        return list(other) + list(self) if isinstance(other, list) else NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"Spill({len(self)} entries, {self._spilled} on disk)"


def all_transactions(entries) -> bool:
    """Whether every entry of a Spill or list is a transaction (no balance among them)."""
    if isinstance(entries, Spill):
        return entries.all_transactions
    return all(type(entry) is _Transaction for entry in entries)


def like(entries) -> "Spill | list":
    """An empty store of the kind of `entries`, for a pass that writes them anew (a
    spilled entry cannot be changed in place): a list stays a list, a Spill a Spill."""
    return [] if isinstance(entries, list) else Spill()


def _meta(entry) -> dict | None:
    return entry.meta if isinstance(entry, _Transaction) else None


def metas(entries) -> Iterator[dict | None]:
    """Spill.metas() of a Spill or a list."""
    return entries.metas() if isinstance(entries, Spill) else map(_meta, entries)


class Picked:
    """Some of a store's entries, in its order: those taken as they are (by position,
    as ranges: no copy of them is made) and others put in their place or beside them
    (`put`, a Spill). What an import writes of a statement is mostly its entries as
    they are: read back from the statement's own store, they are not spilled twice.
    Positions come in increasing order; `source` must not change meanwhile."""

    def __init__(self, source=()):
        self.source = source
        self._starts, self._ends = array("q"), array("q")   # taken: [start, end) ranges
        self._put = Spill()                                  # (position, entry)
        self._count = 0

    def take(self, at: int) -> None:
        if self._ends and self._ends[-1] == at:
            self._ends[-1] = at + 1
        else:
            self._starts.append(at)
            self._ends.append(at + 1)
        self._count += 1

    def put(self, at: int, entry) -> None:
        self._put.append((at, entry))
        self._count += 1

    @property
    def held(self) -> int:
        return self._put.held

    def park(self) -> None:
        self._put.park()

    def append(self, entry) -> None:   # at the end, after all of `source` (a FileResult's `new` without one)
        self.put(len(self.source), entry)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator:
        if not self._count:
            return
        put = iter(self._put)
        nxt = next(put, None)
        ranges = iter(zip(self._starts, self._ends))
        start, end = next(ranges, (None, None))
        for at, entry in enumerate(self.source):
            while nxt is not None and nxt[0] == at:   # put before the one taken at the same place
                yield nxt[1]
                nxt = next(put, None)
            while end is not None and at >= end:
                start, end = next(ranges, (None, None))
            if start is not None and start <= at:
                yield entry
            if nxt is None and end is None:
                return
        while nxt is not None:
            yield nxt[1]
            nxt = next(put, None)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, Spill, Picked)) else NotImplemented

    __hash__ = None


def merge_tiers(runs: list, fanout: int, merge) -> None:
    """Runs (oldest first, each with a `level`) merged as an LSM tree's tiers: whenever
    the last `fanout` runs are of one level, `merge(them)` replaces them by one run of
    the next. At most fanout - 1 runs of a level remain; an item is rewritten about
    log_fanout(runs) times, always in order (Sorted here, idset.Ids)."""
    while len(runs) >= fanout and len({run.level for run in runs[-fanout:]}) == 1:
        runs[-fanout:] = [merge(runs[-fanout:])]


class _SortedRun:
    """Items (key, arrival, value) sorted, in a temporary file of their own, by month:
    month -> the offsets of its chunks (one after the other in the file, up to
    `ends[month]`), and month -> the (key, arrival) of its first item and of its last."""

    def __init__(self, level: int):
        self.level, self.file, self.chunks, self.ends, self.bounds = level, _temporary(), {}, {}, {}

    def put(self, month: str, items: Iterable[tuple], bounds: tuple) -> None:
        """A month's items, in order, whose first and last (key, arrival) are `bounds`."""
        self.chunks[month] = _write_chunks(self.file, items)
        self.ends[month], self.bounds[month] = self.file.tell(), bounds

    def put_after(self, month: str, runs: list["_SortedRun"]) -> None:
        """The month's items of `runs`, each run's all after the one before (their bounds
        say so): what their merge gives, made by copying the bytes of their chunks (each
        chunk is a pickle of its own), not by reading and writing every item again."""
        self.file.seek(0, os.SEEK_END)
        offsets = []
        for run in runs:
            for raw in run.raw_chunks(month):
                offsets.append(self.file.tell())
                self.file.write(raw)
        self.chunks[month], self.ends[month] = offsets, self.file.tell()
        self.bounds[month] = (runs[0].bounds[month][0], runs[-1].bounds[month][1])

    def items(self, month: str) -> Iterator[tuple]:
        return _read_chunks(self.file, self.chunks.get(month, []))

    def raw_chunks(self, month: str) -> Iterator[bytes]:
        offsets = self.chunks[month]
        for start, end in zip(offsets, offsets[1:] + [self.ends[month]]):
            self.file.seek(start)
            yield self.file.read(end - start)


class Sorted:
    """Items (key, value) in the order of their keys, ties in the order they came, read
    back a month at a time: a key is a tuple whose first item starts with "YYYY-MM"
    (render.sort_key), a value anything that pickles (Books.plan: an entry's text).

    Each LIMIT items become a sorted run on disk; a month is read back as the merge of
    the runs' chunks of it, one chunk of each run in memory at a time. So that this
    stays bounded whatever the count (10M entries would be 1,000 runs), FANOUT runs of
    one size are merged into one as they gather: at most FANOUT - 1 runs of each size,
    each item rewritten about log8(items / LIMIT) times, in order (where the runs of a
    month follow each other, their bytes are copied as they are)."""

    FANOUT = 8

    def __init__(self):
        self._buf: list = []                  # (key, arrival, value)
        self._runs: list[_SortedRun] = []
        self._count = 0

    def add(self, key: tuple, value) -> None:
        self._buf.append((key, self._count, value))
        self._count += 1
        if len(self._buf) >= LIMIT:
            self._flush()

    def _flush(self) -> None:
        self._buf.sort()   # by key, then arrival (unique): never compares entries
        buf = self._buf
        run, start = _SortedRun(0), 0
        for end in range(1, len(buf) + 1):
            month = buf[start][0][0][:7]
            if end == len(buf) or buf[end][0][0][:7] != month:
                run.put(month, buf[start:end], (buf[start][:2], buf[end - 1][:2]))
                start = end
        self._runs.append(run)
        self._buf = []
        merge_tiers(self._runs, self.FANOUT, self._merge)

    @staticmethod
    def _merge(runs: list["_SortedRun"]) -> "_SortedRun":
        merged = _SortedRun(runs[0].level + 1)
        for month in sorted({month for run in runs for month in run.chunks}):
            parts = sorted((run for run in runs if month in run.chunks), key=lambda run: run.bounds[month])
            bounds = [run.bounds[month] for run in parts]
            if all(before[1] < after[0] for before, after in zip(bounds, bounds[1:])):
                # A statement in time order (or its reverse) fills runs that follow each
                # other: their items of the month are merged by putting one run after the other.
                merged.put_after(month, parts)
            else:
                merged.put(month, _merged([run.items(month) for run in parts]),
                           (bounds[0][0], max(last for _, last in bounds)))
        for run in runs:
            run.file.close()
        return merged

    def __len__(self) -> int:
        return self._count

    @property
    def held(self) -> int:
        return len(self._buf)

    def park(self) -> None:
        """As Spill.park: what it holds becomes a run on disk."""
        if self._buf:
            self._flush()

    def months(self) -> list[str]:
        found = {month for run in self._runs for month in run.chunks}
        found.update(item[0][0][:7] for item in self._buf)
        return sorted(found)

    def month(self, month: str) -> Iterator[tuple]:
        """(key, value) of one month, in order: the merge of every run's part of it."""
        self._buf.sort()
        mine = [item for item in self._buf if item[0][0][:7] == month]
        parts = [run.items(month) for run in self._runs if month in run.chunks] + [iter(mine)]
        for key, _, value in _merged(parts):
            yield key, value


def _merged(parts: list) -> Iterator[tuple]:
    """Sorted (key, arrival, value) iterators as one, in order (arrivals are unique: the
    values are never compared)."""
    return heapq.merge(*parts) if len(parts) > 1 else iter(parts[0])
