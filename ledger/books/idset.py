"""A set of exact strings that does not grow in memory with its size (#15).

An import of a million rows looks up and adds three million ids (the books' own, every
new entry's, every row's channel id). `Ids` is a dict while it holds at most LIMIT_IDS
keys (and all the Ids of the process together at most BUDGET_IDS: a set past FLOOR_IDS
that a key is added to beyond it goes to disk); past that its keys go to disk as sorted
runs, as an LSM tree keeps them:

* keys added wait in `_pending` (a dict, looked at first) until LIMIT_IDS of them,
  which are sorted and written as a run: blocks of BLOCK keys, pickled, and in memory
  only the first key and the offset of each block (1/64 of the keys);
* when FANOUT runs of one size have gathered, they are merged into one run of the next
  size, so a key is rewritten about log4(keys / LIMIT_IDS) times, always read and written
  in order (never a page at random, which is what made a b-tree past its cache slow:
  94 GB of I/O at 10M rows, docs/perf-import.md);
* a look-up of a key that is not there (an import's new ids, nearly all) is answered
  by a bit filter in memory; its "no" is exact, its "maybe" asks each run's own filter
  and reads one block of the runs that may hold the key. No decision rests on a hash:
  ids are compared exactly as the channel wrote them, and a collision must never skip
  money.

A key may be in two runs (`update` does not look on disk): a look-up takes the oldest
run's, which is the first value added ("kept as first added"), and a merge keeps it.

Every run is an unlinked temporary file (spill._temporary): nothing is left behind,
whatever happens.
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
import weakref
from array import array
from bisect import bisect_left, bisect_right
from operator import itemgetter
from typing import Iterable, Iterator

from beanclear.books import spill

LIMIT_IDS = int(os.environ.get("BEANCLEAR_SPILL_IDS", "100000"))  # keys an Ids keeps in memory
# keys all the Ids of a process keep in memory together: an import holds a dozen (the
# books' ids, their views, late rows, repeats...), each below LIMIT_IDS, which must not
# add up (blind19 scale: a month's import into books of two such months peaked at 285 MiB,
# ~47 MiB of it ids over the budget). Past it, the Ids a key is added to writes what it holds to disk,
# unless it holds fewer than FLOOR_IDS (small sets stay dicts whatever the others hold).
BUDGET_IDS = int(os.environ.get("BEANCLEAR_SPILL_IDS_ALL", str(LIMIT_IDS)))
FLOOR_IDS = 8192
_EVERY = 1024     # keys added between two sums of what all hold (a sum walks every live Ids)
BLOCK = 64       # keys per block of a run: what a look-up on disk reads and unpickles
FANOUT = 4       # runs of one size merged into one
CACHED = 4       # blocks a run keeps read: look-ups of a few interleaved sequences read each block once
MERGE_KEYS = 4096   # keys a merge holds of each run at a time
_first = itemgetter(0)


def _batch() -> int:
    """Keys an Ids on disk holds back before writing them as a run."""
    return max(1, LIMIT_IDS)


class _Bits:
    """A bit filter over strings: two bits a key, taken from its hash at `shifts`.
    `key in bits` is False only for a key never added (exact); True may be wrong."""

    def __init__(self, size: int, shifts: tuple[int, int]):
        self.size = 1 << max(10, (size - 1).bit_length())   # a power of two, at least `size`
        self._bits, self._mask, self._shifts = bytearray(self.size // 8), self.size - 1, shifts

    def add(self, key: str) -> None:
        h, mask, bits, (sa, sb) = hash(key), self._mask, self._bits, self._shifts
        a, b = (h >> sa) & mask, (h >> sb) & mask
        bits[a >> 3] |= 1 << (a & 7)
        bits[b >> 3] |= 1 << (b & 7)

    def add_all(self, keys: Iterable[str]) -> int:
        """Add each key (as add(), written out: no call per key); how many."""
        mask, bits, (sa, sb) = self._mask, self._bits, self._shifts
        n = 0
        for key in keys:
            h = hash(key)
            a, b = (h >> sa) & mask, (h >> sb) & mask
            bits[a >> 3] |= 1 << (a & 7)
            bits[b >> 3] |= 1 << (b & 7)
            n += 1
        return n

    def __contains__(self, key: str) -> bool:
        h, mask, bits, (sa, sb) = hash(key), self._mask, self._bits, self._shifts
        a, b = (h >> sa) & mask, (h >> sb) & mask
        return bool(bits[a >> 3] >> (a & 7) & 1 and bits[b >> 3] >> (b & 7) & 1)


class _Run:
    """Sorted, unique (key, value) pairs in a temporary file, in blocks of BLOCK, with a
    bit filter of its own (8 bits a key, sized for `expected` keys) so that a look-up
    reads a block only of the runs that may hold the key, and the last blocks read
    kept (look-ups in a statement's order ask the same few blocks in turn)."""

    def __init__(self, chunks: Iterable[tuple[list, list | None]], level: int, expected: int):
        """A run of the sorted, unique keys of `chunks` ((keys, their values or None for
        all None), one after the other), written BLOCK keys at a time."""
        self.level, self.count = level, 0
        self.firsts: list[str] = []
        self.offsets = array("q")
        self._file = spill._temporary()
        self._cache: dict[int, list] = {}   # block number -> its pairs, the last CACHED read
        self._bits = _Bits(expected * 8, (7, 37))   # other bits of the hash than Ids' own filter
        keys: list = []
        values: list | None = None   # None while every value so far is None
        for more, more_values in chunks:
            values = _extended(keys, values, more, more_values)
            if len(keys) >= BLOCK:
                whole = len(keys) - len(keys) % BLOCK
                for start in range(0, whole, BLOCK):
                    self._write(keys[start:start + BLOCK], None if values is None else values[start:start + BLOCK])
                keys = keys[whole:]
                values = None if values is None else values[whole:]
        if keys:
            self._write(keys, values)
        self.offsets.append(self._file.tell())   # the end of the last block
        self._file.flush()   # read back with os.pread: one call a block, no seek

    def _write(self, keys: list, values: list | None) -> None:
        self.firsts.append(keys[0])
        self.offsets.append(self._file.tell())
        # keys alone where no value was given (the usual set): a third of the unpickling
        if values is not None and all(v is None for v in values):
            values = None
        self._file.write(pickle.dumps((tuple(keys), None if values is None else tuple(values)),
                                      pickle.HIGHEST_PROTOCOL))
        self.count += self._bits.add_all(keys)

    def _read(self, at: int) -> tuple:
        """Block `at`: (its keys, their values or None for all None)."""
        return pickle.loads(os.pread(self._file.fileno(), self.offsets[at + 1] - self.offsets[at], self.offsets[at]))

    def _block(self, at: int) -> tuple:
        block = self._cache.get(at)
        if block is None:
            block = self._read(at)
            if len(self._cache) >= CACHED:
                del self._cache[next(iter(self._cache))]   # the oldest read
            self._cache[at] = block
        return block

    def find(self, key: str):
        """(True, value) if `key` is here, else (False, None)."""
        if key not in self._bits:
            return False, None
        at = bisect_right(self.firsts, key) - 1
        if at < 0:
            return False, None
        keys, values = self._block(at)
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return True, None if values is None else values[i]
        return False, None

    def blocks(self, start: str = "") -> Iterator[tuple[tuple, tuple | None]]:
        """Its blocks in order, (keys, values or None), from the block that may hold `start`."""
        for at in range(max(0, bisect_right(self.firsts, start) - 1), len(self.firsts)):
            yield self._read(at)

    def pairs(self, start: str = "") -> Iterator[tuple[str, object]]:
        """Its pairs in order, from the first key ≥ `start`."""
        for keys, values in self.blocks(start):
            pairs = zip(keys, values or itertools.repeat(None))
            yield from (pair for pair in pairs if pair[0] >= start) if keys[0] < start else pairs

    def close(self) -> None:
        self._file.close()


def _unique(pairs: Iterable[tuple[str, object]]) -> Iterator[tuple[str, object]]:
    """Sorted pairs, of each key the first (the oldest run's: heapq.merge is stable)."""
    last = None
    for pair in pairs:
        if pair[0] != last:
            last = pair[0]
            yield pair


def _extended(keys: list, values: list | None, more, more_values) -> list | None:
    """`more` keys appended to `keys` (in place), and their values to `values`: the
    values, None while every one so far is None (a set's keys carry none)."""
    if more_values is not None and values is None:
        values = [None] * len(keys)
    keys += more
    if values is not None:
        values += more_values if more_values is not None else [None] * len(more)
    return values


class _Buffer:
    """What a merge has read of one run and not given on yet: keys and their values."""

    def __init__(self, blocks: Iterator):
        self.blocks, self.keys, self.values = blocks, [], None

    def fill(self) -> bool:
        """At least MERGE_KEYS keys held, or all the run has left; whether any are."""
        while len(self.keys) < MERGE_KEYS:
            block = next(self.blocks, None)
            if block is None:
                break
            self.values = _extended(self.keys, self.values, *block)
        return bool(self.keys)

    def take(self, bound: str) -> tuple[list, list | None]:
        """Its keys up to `bound` (and their values), no longer held."""
        cut = bisect_right(self.keys, bound)
        keys, self.keys = self.keys[:cut], self.keys[cut:]
        if self.values is None:
            return keys, None
        values, self.values = self.values[:cut], self.values[cut:]
        return keys, values


def _merged_chunks(runs: list[_Run]) -> Iterator[tuple[list, list | None]]:
    """The runs' keys (oldest run first), merged and each key once with the oldest run's
    value, as chunks of (keys, values or None). A chunk is every key up to the least of
    the last keys the runs' buffers hold: no run holds a smaller key further on, so the
    chunk is sorted by Timsort (a C merge of the runs' sorted pieces) rather than a
    heap of one Python step a key."""
    buffers = [buffer for buffer in map(_Buffer, (run.blocks() for run in runs)) if buffer.fill()]
    while buffers:
        bound = min(buffer.keys[-1] for buffer in buffers)
        pieces = [buffer.take(bound) for buffer in buffers]
        buffers = [buffer for buffer in buffers if buffer.fill()]
        if all(values is None for _, values in pieces):
            # sorted, then each key once: dict.fromkeys keeps the first of equal neighbours
            yield list(dict.fromkeys(sorted(itertools.chain.from_iterable(keys for keys, _ in pieces)))), None
            continue
        pairs = sorted(itertools.chain.from_iterable(zip(keys, values or itertools.repeat(None))
                                                     for keys, values in pieces), key=_first)  # stable: oldest first
        keys, values = [], []
        for key, value in _unique(pairs):
            keys.append(key)
            values.append(value)
        yield keys, values


def _merge_runs(runs: list[_Run]) -> _Run:
    """Runs as one of the next level (of a key in two, the oldest run's value)."""
    merged = _Run(_merged_chunks(runs), runs[0].level + 1, sum(run.count for run in runs))
    for run in runs:
        run.close()
    return merged


_live: "weakref.WeakSet[Ids]" = weakref.WeakSet()   # every Ids not yet collected


def _over_budget() -> bool:
    """Whether the Ids of this process hold more than BUDGET_IDS keys in memory."""
    return sum(ids.held for ids in list(_live)) > BUDGET_IDS


class Ids:
    """A set of exact strings, each with an optional value (kept as first added): a dict
    while it holds at most LIMIT_IDS keys (and all of them together BUDGET_IDS), then
    sorted runs on disk (see above)."""

    def __init__(self, keys: Iterable[str] = ()):
        self._mem: dict | None = {}
        self._runs: list[_Run] | None = None   # oldest first
        self._pending: dict = {}
        self._count = 0     # exact while in memory; on disk, len() counts
        # On disk, a filter in memory answers most look-ups of keys that are not there:
        # 16 bits a key, two of them set per key. Its "no" is exact; its "maybe" is
        # settled on disk, so it never decides alone.
        self._bits = _Bits(1, (0, 30))
        self._filtered = 0   # keys set in the filter (repeats counted: it only sizes it)
        _live.add(self)
        self.update(keys)

    @property
    def held(self) -> int:
        """Keys held in memory (the dict's, or those pending on disk)."""
        return len(self._mem) if self._mem is not None else len(self._pending)

    @staticmethod
    def _crowded(held: int) -> bool:
        """Whether, holding `held` keys, past FLOOR_IDS, it must go to disk (or write its
        pending keys) because all Ids together hold past BUDGET_IDS (summed every _EVERY
        keys added)."""
        return held >= FLOOR_IDS and not held % _EVERY and _over_budget()

    # -- the filter ------------------------------------------------------------------

    def _filter(self, key: str) -> None:
        self._bits.add(key)
        self._filtered += 1
        if self._filtered * 16 > self._bits.size:
            self._refilter(self._bits.size * 2)

    def _refilter(self, size: int) -> None:
        """A filter of `size` bits over every key, made anew as it fills."""
        self._bits = _Bits(size, (0, 30))
        self._filtered = sum(self._bits.add_all(keys) for run in self._runs for keys, _ in run.blocks()) \
            + self._bits.add_all(list(self._pending))

    # -- the runs ----------------------------------------------------------------------

    def _to_disk(self) -> None:
        self._runs, self._pending, self._mem = [], self._mem, None
        self._refilter(1 << max(16, (len(self._pending) * 32).bit_length()))

    def _flush(self) -> None:
        """The pending keys as a run; runs of one size merged as FANOUT of them gather."""
        if not self._pending:
            return
        runs = self._runs
        keys = sorted(self._pending)
        values = [self._pending[key] for key in keys]
        runs.append(_Run([(keys, None if all(v is None for v in values) else values)], 0, len(keys)))
        self._pending = {}
        spill.merge_tiers(runs, FANOUT, _merge_runs)

    def _merged(self, start: str = "") -> Iterator[tuple[str, object]]:
        """Every (key, value) on disk from `start`, in order, each key once."""
        return _unique(heapq.merge(*(run.pairs(start) for run in self._runs), key=_first))

    def _find(self, key: str):
        for run in self._runs:   # oldest first: the first value added
            found = run.find(key)
            if found[0]:
                return found
        return False, None

    # -- the set -----------------------------------------------------------------------

    @property
    def on_disk(self) -> bool:
        return self._runs is not None

    def __len__(self) -> int:
        if self._mem is not None:
            return self._count
        self._flush()
        return sum(1 for _ in self._merged())

    def __bool__(self) -> bool:
        return self._count > 0 if self._mem is not None else True   # on disk: past LIMIT_IDS keys

    def __contains__(self, key) -> bool:
        if self._mem is not None:
            return key in self._mem
        if key in self._pending:
            return True
        if not isinstance(key, str):
            return False
        bits = self._bits   # key in bits, written out: a look-up of a new id stops here
        h, mask, (sa, sb) = hash(key), bits._mask, bits._shifts
        a, b = (h >> sa) & mask, (h >> sb) & mask
        if not (bits._bits[a >> 3] >> (a & 7) & 1 and bits._bits[b >> 3] >> (b & 7) & 1):
            return False
        return self._find(key)[0]

    def get(self, key: str, default=None):
        if self._mem is not None:
            return self._mem.get(key, default)
        if not isinstance(key, str) or (key not in self._pending and key not in self._bits):
            return default
        found, value = self._find(key)
        if found:
            return value
        return self._pending.get(key, default)

    def add(self, key: str, value=None) -> bool:
        """Add `key` (with `value`) unless it is there; whether it was added."""
        mem = self._mem
        if mem is not None:
            if key in mem:
                return False
            mem[key] = value
            self._count += 1
            if self._count > LIMIT_IDS or self._crowded(self._count):
                self._to_disk()
            return True
        if key in self:
            return False
        self._pending[key] = value
        self._filter(key)
        if len(self._pending) >= _batch() or self._crowded(len(self._pending)):
            self._flush()
        return True

    def update(self, keys: Iterable[str]) -> None:
        """Add each key, of no value (update_pairs)."""
        self.update_pairs(zip(keys, itertools.repeat(None)))

    def update_pairs(self, pairs: Iterable[tuple[str, object]]) -> None:
        """update() of keys with their values: a key there already keeps its own."""
        if self._mem is not None:
            for key, value in pairs:
                self.add(key, value)
            return
        # Not looked up on disk: a key in a run keeps that run's value. The filter's add
        # is written out (no call a key); it is made anew once the keys are in.
        pending, bits = self._pending, self._bits
        mask, (sa, sb), table, added = bits._mask, bits._shifts, bits._bits, 0
        for key, value in pairs:
            if key not in pending:
                pending[key] = value
                h = hash(key)
                a, b = (h >> sa) & mask, (h >> sb) & mask
                table[a >> 3] |= 1 << (a & 7)
                table[b >> 3] |= 1 << (b & 7)
                added += 1
        self._filtered += added
        if self._filtered * 16 > bits.size:
            self._refilter(bits.size * 2)
        if len(pending) >= _batch() or len(pending) >= FLOOR_IDS and _over_budget():
            self._flush()

    def __iter__(self) -> Iterator[str]:
        """The keys: in the order added while in memory, sorted on disk."""
        if self._mem is not None:
            yield from list(self._mem)
        else:
            self._flush()
            yield from (key for key, _ in self._merged())

    def prefixed(self, prefix: str) -> Iterator[str]:
        """The keys that start with `prefix`."""
        if self._mem is not None:
            yield from [k for k in self._mem if k.startswith(prefix)]
        else:  # sorted: those with the prefix are one range of them
            self._flush()
            for key, _ in self._merged(prefix):
                if not key.startswith(prefix):
                    return
                yield key

    def __ge__(self, other) -> bool:
        return all(key in self for key in other)

    def __repr__(self) -> str:
        return f"Ids({len(self)} keys{', on disk' if self._runs is not None else ''})"


class ViewIds(Ids):
    """Books.view_ids(): identity -> the path of the month file of the entry holding it,
    and `twice`, the identities two such entries hold (Ids keeps a key's first value)."""

    def __init__(self):
        super().__init__()
        self.twice: set[str] = set()
