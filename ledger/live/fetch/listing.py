"""A day's items from a paged API, in order, without holding the day (#15).

The channels hand a day's items a page at a time, Stripe newest first; the archive keeps
them oldest first, as one JSON document (the response the importer reads, with every
page's items in its list). `DayItems` sorts the items on disk as they arrive
(books.spill.Sorted: a few thousand in memory whatever the day's count) and writes the
document into an unlinked temporary file, byte for byte what

    json.dumps(doc_with_the_sorted_list, indent=2, sort_keys=True, ensure_ascii=False) + "\\n"

gives, so a day fetched again is recognised as the same bytes whichever way it was written."""

from __future__ import annotations

import json
import tempfile
from typing import BinaryIO

from beanclear.books.spill import Sorted

_HOLE = "\x00beanclear: the items\x00"   # where the list goes in the document's text


def dumped(doc) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)


class DayItems:
    """The items of one day, in the order of their keys (ties as they came)."""

    def __init__(self, day):
        self._day, self._items = str(day), Sorted()

    def add(self, key: tuple, item: dict) -> None:
        # Sorted groups by the first part of the key's first item ("YYYY-MM"): one day, one group.
        self._items.add((self._day, *key), dumped(item))

    def __len__(self) -> int:
        return len(self._items)

    def document(self, doc: dict, field: str) -> BinaryIO:
        """`doc` with `field` (a key of its top level) the items, as text in a temporary file."""
        head, tail = dumped({**doc, field: _HOLE}).split(json.dumps(_HOLE), 1)
        out = tempfile.TemporaryFile(prefix="beanclear-fetch-")
        out.write(head.encode("utf-8"))
        if not self._items:
            out.write(b"[]")
        else:
            out.write(b"[")
            first = True
            for month in self._items.months():
                for _, text in self._items.month(month):
                    # an item is two levels deep in the document: each of its lines four spaces in
                    out.write(("\n    " if first else ",\n    ").encode("utf-8"))
                    out.write(text.replace("\n", "\n    ").encode("utf-8"))
                    first = False
            out.write(b"\n  ]")
        out.write((tail + "\n").encode("utf-8"))
        out.seek(0)
        return out
