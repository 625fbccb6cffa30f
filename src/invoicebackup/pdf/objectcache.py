"""Values already built, by the bytes they were built from: one cache per compile.

Invoices from one accounting system, and the attachments of one vendor, repeat the same
objects byte for byte: fonts, resource dictionaries, form templates, page dictionaries.
An :class:`ObjectCache` keeps, for the bytes of an indirect object's value, the value the
builder made of them, where it ended and where its references are, so that another file
holding the same bytes skips the token loop. It is passed in by whoever owns the
compile, never held by a module: nothing is shared between compiles or threads.

Correct by construction: the builder is a function of the bytes it reads (and of its
:class:`~.build.SyntaxLimits`, which the cache is made for). A value is looked up by
the bytes from after ``num gen obj`` up to the first ``endobj`` or ``stream`` keyword,
and kept only when the builder stopped within those bytes; a file whose bytes match has
the same keyword at the same place, so the builder would read exactly what it read the
first time. Values are immutable, so one value may be held by several files.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

from .build import RefSpan, SyntaxLimits
from .values import Name, Value

#: One entry: the value, where it ended and its references' spans, relative to its start.
Entry = tuple[Value, int, "Spans"]
#: References' spans relative to the start of the value (see :data:`.reader.Source`).
Spans = tuple[RefSpan, ...]

#: Objects whose bytes are shorter than this are built again (a lookup costs about as much).
MIN_BYTES: Final = 24
#: Objects longer than this are not kept (one would push out many smaller ones).
MAX_BYTES: Final = 256 * 1024
#: How many key bytes a cache keeps unless told otherwise.
KEPT_BYTES: Final = 4 * 1024 * 1024


class ObjectCache:
    """Built values by their bytes, bounded by the bytes kept (oldest dropped first).

    Args:
        limits: The bounds the values were built within; a file read within others
            does not use this cache.
        max_bytes: The most key bytes kept at once (the values take a few times that).
    """

    __slots__ = ("_entries", "_size", "hits", "limits", "max_bytes", "names")

    def __init__(self, *, limits: SyntaxLimits, max_bytes: int = KEPT_BYTES) -> None:
        self.limits = limits
        self.max_bytes = max_bytes
        #: The names read by every file of the compile, interned once: the values kept
        #: from a thousand invoices share their names rather than holding a copy each.
        self.names: dict[bytes, Name] = {}
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._size = 0
        #: How many lookups found a value (for measurements and tests).
        self.hits = 0

    def get(self, key: bytes, start: int) -> tuple[Value, int, Spans] | None:
        """The value built from *key*, its end placed at *start*, its references' spans."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self.hits += 1
        value, length, refs = entry
        return value, start + length, refs

    def put(self, key: bytes, start: int, value: Value, end: int, refs: Spans) -> None:
        """Keep *value*, built from *key* at *start* and ending at *end* (*refs* relative)."""
        if not MIN_BYTES <= len(key) <= MAX_BYTES or end - start > len(key):
            return
        if key in self._entries:
            return
        self._entries[key] = (value, end - start, refs)
        self._size += len(key)
        while self._size > self.max_bytes:
            dropped, _ = self._entries.popitem(last=False)
            self._size -= len(dropped)
