"""Holding an import's entries and ids without holding them all in memory (#15).

A statement of a million rows makes a million entries (~2.4 KB each in memory) and two
million ids; the import must see all of them before it writes anything (one bad row
anywhere: nothing written). Three stores keep what an import holds to a few thousand
of each, whatever the statement's length, and are one code path for every size: below
their limit nothing touches the disk.

* `Spill`: entries in the order they came (an importer's rows, the import's new
  entries); past LIMIT entries they go to a temporary file, pickled in chunks (a
  transaction as plain values: _packed), and are read back chunk by chunk on each pass.
* `Sorted`: entries by month, then render.sort_key, ties in the order they came (the
  order Books.plan writes them in); each LIMIT entries sorted into a run on disk, a
  month read back as the merge of the runs' chunks of that month.
* `Picked`: some of a store's entries by position (what an import writes of a
  statement), so they are not stored a second time.
* `Ids`: a set of exact strings (optionally with a small value each); past LIMIT_IDS
  keys it moves into a private temporary sqlite database. Exact, not hashed: an id is
  compared as the channel wrote it, and a collision must never skip money (a bit filter
  in memory only ever answers "not there").

Cleaning up: every temporary file is unlinked as it is made (tempfile.TemporaryFile,
sqlite's "" database), so nothing is left behind whatever happens, a kill included:
the space goes back when the process closes the file or ends. They are made in
tempfile's directory (TMPDIR; `BEANCLEAR_SPILL_DIR` to choose another).
"""

from __future__ import annotations

import copyreg
import datetime as dt
import heapq
import itertools
import os
import pickle
import sqlite3
from array import array
import tempfile
from decimal import Decimal as _Decimal
from typing import Iterable, Iterator

from beancount.core.amount import Amount as _Amount
from beancount.core.data import Posting as _Posting, Transaction as _Transaction

LIMIT = int(os.environ.get("BEANCLEAR_SPILL", "10000"))           # entries a store keeps in memory
LIMIT_IDS = int(os.environ.get("BEANCLEAR_SPILL_IDS", "100000"))  # keys an Ids keeps in memory
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


def _packed(entry) -> tuple:
    """An entry as plain values (strings, ints, dicts, frozensets), which pickle writes
    and reads back three to four times faster than the named tuples, dates and Decimals
    (exactly: str() of a Decimal reads back as the same Decimal, exponent and sign
    included). A transaction of the usual shape is packed; anything else is kept as it
    is, in a tuple of one."""
    if type(entry) is not _Transaction or type(entry.date) is not _date:
        return (entry,)
    postings = []
    for p in entry.postings:
        units = p.units
        if type(p) is not _Posting or type(units) is not _Amount or type(units.number) is not _Decimal \
                or p.cost is not None:
            return (entry,)
        postings.append((p.account, str(units.number), units.currency, p.price, p.flag, p.meta))
    return (entry.meta, entry.date.toordinal(), entry.flag, entry.payee, entry.narration, entry.tags, entry.links,
            postings)


def _unpacked(item: tuple):
    if len(item) == 1:
        return item[0]
    meta, day, flag, payee, narration, tags, links, postings = item
    new = tuple.__new__   # the named tuples' own __new__ would check again what was checked when they were made
    return new(_Transaction, (meta, _fromordinal(day), flag, payee, narration, tags, links,
                              [new(_Posting, (account, new(_Amount, (_Decimal(number), currency)), None, price, flag, meta))
                               for account, number, currency, price, flag, meta in postings]))


def _write_chunks(fh, items: list) -> list[int]:
    """`items` pickled CHUNK at a time at the end of `fh`; the offset of each chunk."""
    global _DISPATCH
    if _DISPATCH is None:
        _DISPATCH = _dispatch()
    fh.seek(0, os.SEEK_END)
    offsets = []
    for at in range(0, len(items), CHUNK):
        offsets.append(fh.tell())
        pickler = pickle.Pickler(fh, PROTOCOL)   # one per chunk: each chunk is read alone
        pickler.dispatch_table = _DISPATCH
        pickler.dump(items[at:at + CHUNK])
    return offsets


def _read_chunks(fh, offsets: list[int]) -> Iterator:
    for offset in offsets:
        fh.seek(offset)   # each pass seeks: two passes over one store may interleave
        yield from pickle.load(fh)


class Spill:
    """A list of entries that spills: append(), `+=`, len(), passes in the order they came.
    (Indexing, `+` and == a list are there for tests and small callers: they make a pass.)"""

    def __init__(self, entries: Iterable = ()):
        self._buf: list = []
        self._file = None
        self._chunks: list[int] = []
        self._spilled = 0
        self.extend(entries)

    def append(self, entry) -> None:
        buf = self._buf
        buf.append(entry)
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
        self._chunks += _write_chunks(self._file, list(map(_packed, self._buf)))
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
            yield from map(_unpacked, _read_chunks(self._file, list(self._chunks)))
        yield from list(self._buf)

    def metas(self) -> Iterator[dict | None]:
        """Each entry's metadata if it is a transaction, else None, in the order they came:
        a pass that reads their ids needs no entry made again (a third of the time)."""
        if self._chunks:
            for item in _read_chunks(self._file, list(self._chunks)):
                if len(item) > 1:   # a packed transaction (_packed): its metadata comes first
                    yield item[0]
                else:
                    yield _meta(item[0])
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


class Sorted:
    """Items (key, value) in the order of their keys, ties in the order they came, read
    back a month at a time: a key is a tuple whose first item starts with "YYYY-MM"
    (render.sort_key), a value anything that pickles (Books.plan: an entry's text)."""

    def __init__(self):
        self._buf: list = []                  # (key, arrival, value)
        self._runs: list[dict] = []           # per run: month -> offsets of its chunks
        self._file = None
        self._count = 0

    def add(self, key: tuple, value) -> None:
        self._buf.append((key, self._count, value))
        self._count += 1
        if len(self._buf) >= LIMIT:
            self._flush()

    def _flush(self) -> None:
        if self._file is None:
            self._file = _temporary()
        self._buf.sort()   # by key, then arrival (unique): never compares entries
        run: dict[str, list[int]] = {}
        start = 0
        for end in range(1, len(self._buf) + 1):
            month = self._buf[start][0][0][:7]
            if end == len(self._buf) or self._buf[end][0][0][:7] != month:
                run[month] = _write_chunks(self._file, self._buf[start:end])
                start = end
        self._runs.append(run)
        self._buf = []

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
        found = {month for run in self._runs for month in run}
        found.update(item[0][0][:7] for item in self._buf)
        return sorted(found)

    def month(self, month: str) -> Iterator[tuple]:
        """(key, value) of one month, in order: the merge of every run's part of it."""
        self._buf.sort()
        mine = [item for item in self._buf if item[0][0][:7] == month]
        parts = [_read_chunks(self._file, run[month]) for run in self._runs if month in run] + [iter(mine)]
        for key, _, value in (heapq.merge(*parts) if len(parts) > 1 else parts[0]):
            yield key, value


def _batch() -> int:
    """Keys an Ids on disk holds back before inserting them in one go."""
    return max(1, min(20000, LIMIT_IDS))


def _key(text: str) -> bytes:
    """A key as sqlite holds it: its UTF-8 bytes (any str, a lone surrogate too), compared
    byte for byte (memcmp), which sorts as the code points do."""
    return text.encode("utf-8", "surrogatepass")


def _str(key: bytes) -> str:
    return key.decode("utf-8", "surrogatepass")


class Ids:
    """A set of exact strings, each with an optional value (kept as first added): a dict
    while it holds at most LIMIT_IDS keys, then a table of a private temporary sqlite
    database (primary key: the string's bytes, so a look-up is exact). On disk, keys
    added go in batches (`_pending`, looked at first), as one insert each is slow."""

    def __init__(self, keys: Iterable[str] = ()):
        self._mem: dict | None = {}
        self._db: sqlite3.Connection | None = None
        self._pending: dict = {}
        self._count = 0     # exact while in memory; on disk, len() counts
        # On disk, a filter in memory answers most look-ups of keys that are not there
        # (an import's new ids) without sqlite: 16 bits a key, two of them set per key.
        # Its "no" is exact; its "maybe" is settled by sqlite, so it never decides alone.
        self._bits = bytearray()
        self._mask = 0
        self._filtered = 0   # keys set in the filter (repeats counted: it only sizes it)
        self.update(keys)

    def _filter(self, key: str) -> None:
        h = hash(key)
        mask, bits = self._mask, self._bits
        a, b = h & mask, (h >> 30) & mask
        bits[a >> 3] |= 1 << (a & 7)
        bits[b >> 3] |= 1 << (b & 7)
        self._filtered += 1
        if self._filtered * 16 > mask:
            self._refilter((mask + 1) * 2)

    def _refilter(self, size: int) -> None:
        """A filter of `size` bits (a power of two) over every key, made anew as it fills."""
        self._bits, self._mask, self._filtered = bytearray(size // 8), size - 1, 0
        self._flush()
        keys = itertools.chain((_str(k) for (k,) in self._db.execute("SELECT k FROM ids")), list(self._pending))
        mask, bits = self._mask, self._bits
        for key in keys:
            h = hash(key)
            a, b = h & mask, (h >> 30) & mask
            bits[a >> 3] |= 1 << (a & 7)
            bits[b >> 3] |= 1 << (b & 7)
            self._filtered += 1

    def _maybe(self, key: str) -> bool:
        h = hash(key)
        mask, bits = self._mask, self._bits
        a, b = h & mask, (h >> 30) & mask
        return bool(bits[a >> 3] >> (a & 7) & 1 and bits[b >> 3] >> (b & 7) & 1)

    def _to_disk(self) -> None:
        # "": a temporary database sqlite deletes itself; no journal, nothing to make durable
        db = sqlite3.connect("", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-16384", "temp_store=FILE"):
            db.execute(f"PRAGMA {pragma}")
        db.execute("CREATE TABLE ids (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID")
        self._db, self._pending, self._mem = db, self._mem, None
        self._refilter(1 << max(16, (len(self._pending) * 32).bit_length()))

    def _flush(self) -> None:
        if self._pending:
            # one transaction (each statement its own is ~40x slower), in key order (the
            # b-tree is filled page by page, not at random)
            rows = sorted((_key(k), None if v is None else pickle.dumps(v, PROTOCOL)) for k, v in self._pending.items())
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO ids VALUES (?, ?)", rows)
            self._db.execute("COMMIT")
            self._pending = {}

    @property
    def on_disk(self) -> bool:
        return self._db is not None

    def __len__(self) -> int:
        if self._db is None:
            return self._count
        self._flush()
        return self._db.execute("SELECT count(*) FROM ids").fetchone()[0]

    def __bool__(self) -> bool:
        return self._count > 0 if self._db is None else True   # on disk: past LIMIT_IDS keys

    def __contains__(self, key) -> bool:
        if self._mem is not None:
            return key in self._mem
        if key in self._pending:
            return True
        if not isinstance(key, str) or not self._maybe(key):
            return False
        return self._db.execute("SELECT 1 FROM ids WHERE k = ?", (_key(key),)).fetchone() is not None

    def get(self, key: str, default=None):
        if self._mem is not None:
            return self._mem.get(key, default)
        if key in self._pending:
            return self._pending[key]
        if not isinstance(key, str) or not self._maybe(key):
            return default
        row = self._db.execute("SELECT v FROM ids WHERE k = ?", (_key(key),)).fetchone()
        return default if row is None else None if row[0] is None else pickle.loads(row[0])

    def add(self, key: str, value=None) -> bool:
        """Add `key` (with `value`) unless it is there; whether it was added."""
        mem = self._mem
        if mem is not None:
            if key in mem:
                return False
            mem[key] = value
            self._count += 1
            if self._count > LIMIT_IDS:
                self._to_disk()
            return True
        if key in self:
            return False
        self._pending[key] = value
        self._filter(key)
        if len(self._pending) >= _batch():
            self._flush()
        return True

    def update(self, keys: Iterable[str]) -> None:
        if self._mem is not None:
            for key in keys:
                self.add(key)
            return
        for key in keys:   # (INSERT OR IGNORE keeps a key's first value)
            if key not in self._pending:   # not held in a local: _filter may flush it
                self._pending[key] = None
                self._filter(key)
        if len(self._pending) >= _batch():
            self._flush()

    def __iter__(self) -> Iterator[str]:
        if self._mem is not None:
            yield from list(self._mem)
        else:
            self._flush()
            yield from (_str(k) for (k,) in self._db.execute("SELECT k FROM ids ORDER BY k"))

    def prefixed(self, prefix: str) -> Iterator[str]:
        """The keys that start with `prefix`."""
        if self._mem is not None:
            yield from [k for k in self._mem if k.startswith(prefix)]
        else:  # the keys sort by their bytes: those with the prefix are one range of them
            self._flush()
            start = _key(prefix)
            for (key,) in self._db.execute("SELECT k FROM ids WHERE k >= ? ORDER BY k", (start,)):
                if not key.startswith(start):
                    return
                yield _str(key)

    def __ge__(self, other) -> bool:
        return all(key in self for key in other)

    def __repr__(self) -> str:
        return f"Ids({len(self)} keys{', on disk' if self._db is not None else ''})"
